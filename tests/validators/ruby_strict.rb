# Reads each .ics file named on the command line with Ruby's icalendar gem in
# strict mode (a property where RFC 5545 does not allow it is an error) and
# prints one line per problem: "FILE: problem". Exit 0 when every file is clean.
require "logger"
require "stringio"
require "icalendar"

Icalendar.logger = Logger.new(nil)  # the errors are printed below, once

problems = 0
ARGV.each do |path|
  begin
    calendars = Icalendar::Parser.new(File.read(path, encoding: "UTF-8"), true).parse
    if calendars.length != 1
      puts "#{path}: #{calendars.length} calendars, not one"
      problems += 1
    elsif calendars[0].events.empty? && calendars[0].todos.empty? &&
          calendars[0].timezones.empty? && calendars[0].freebusys.empty? &&
          calendars[0].journals.empty?
      puts "#{path}: VCALENDAR: no component"
      problems += 1
    end
  rescue StandardError => e
    puts "#{path}: #{e.class}: #{e.message.lines.first.to_s.sub(/ for #<.*/, "").strip}"
    problems += 1
  end
end
exit(problems.zero? ? 0 : 1)
