// Reads each .ics file given on the command line with ical.js (the parser of
// Thunderbird), once in strict mode and once lenient (Thunderbird's own
// setting), and checks what a calendar app relies on. Prints one JSON object:
// {"version": ..., "results": [{file, mode, problems: [...], components, instants}]},
// `instants` mapping "UID PROPERTY" (DTSTART, DTEND, DUE) to the UTC instant
// ical.js reads, as an ISO string.
// Exit code 0 whatever it finds: the pytest test reads the problems.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

// The package's exports hide its package.json: read it from node_modules.
const manifest = new URL("./node_modules/ical.js/package.json", import.meta.url);
const version = JSON.parse(readFileSync(manifest, "utf8")).version;

function check(text, strict) {
  ICAL.design.strict = strict;
  const problems = [];
  const warn = (...args) => problems.push("ical.js said: " + args.join(" "));
  const saved = [console.warn, console.error];
  console.warn = warn;
  console.error = warn;
  let components = 0;
  const instants = {};
  try {
    const root = new ICAL.Component(ICAL.parse(text));
    if (root.name !== "vcalendar") problems.push(`root is ${root.name}, not vcalendar`);
    for (const name of ["version", "prodid"]) {
      if (!root.getFirstPropertyValue(name)) problems.push(`no ${name.toUpperCase()}`);
    }
    const zones = new Map();
    for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
      const zone = new ICAL.Timezone(vtimezone);
      zones.set(zone.tzid, zone);
    }
    const uids = new Set();
    const items = [
      ...root.getAllSubcomponents("vevent").map((c) => [c, "dtend"]),
      ...root.getAllSubcomponents("vtodo").map((c) => [c, "due"]),
    ];
    for (const [component, endName] of items) {
      components += 1;
      const uid = component.getFirstPropertyValue("uid");
      const where = `${component.name} ${uid}`;
      if (!uid) problems.push(`${component.name} without UID`);
      if (uids.has(uid)) problems.push(`${where}: UID used twice`);
      uids.add(uid);
      if (!component.getFirstPropertyValue("dtstamp")) problems.push(`${where}: no DTSTAMP`);
      if (!component.getFirstPropertyValue("summary")) problems.push(`${where}: no SUMMARY`);
      const times = {};
      for (const name of ["dtstart", endName]) {
        const property = component.getFirstProperty(name);
        if (!property) {
          problems.push(`${where}: no ${name.toUpperCase()}`);
          continue;
        }
        const value = property.getFirstValue();
        if (!(value instanceof ICAL.Time)) {
          problems.push(`${where}: ${name.toUpperCase()} is not a time`);
          continue;
        }
        const tzid = property.getParameter("tzid");
        if (tzid) {
          if (!zones.has(tzid)) problems.push(`${where}: TZID ${tzid} has no VTIMEZONE`);
          else value.zone = zones.get(tzid);
        } else if (!value.isDate && value.zone !== ICAL.Timezone.utcTimezone) {
          problems.push(`${where}: ${name.toUpperCase()} is a floating time`);
        }
        if (Number.isNaN(value.toJSDate().getTime())) problems.push(`${where}: bad ${name}`);
        else if (!value.isDate) instants[`${uid} ${name.toUpperCase()}`] = value.toJSDate().toISOString();
        times[name] = value;
      }
      const start = times.dtstart;
      const end = times[endName];
      if (start && end) {
        if (start.isDate !== end.isDate) {
          problems.push(`${where}: DTSTART and ${endName.toUpperCase()} mix DATE and DATE-TIME`);
        }
        const order = end.compare(start);
        if (order < 0 || (order === 0 && component.name === "vevent")) {
          problems.push(`${where}: ${endName.toUpperCase()} is not after DTSTART`);
        }
      }
      for (const alarm of component.getAllSubcomponents("valarm")) {
        const trigger = alarm.getFirstPropertyValue("trigger");
        if (!(trigger instanceof ICAL.Duration || trigger instanceof ICAL.Time)) {
          problems.push(`${where}: VALARM without a readable TRIGGER`);
        }
        if (!alarm.getFirstPropertyValue("action")) problems.push(`${where}: VALARM without ACTION`);
      }
      if (component.name === "vevent") {
        const event = new ICAL.Event(component);
        if (!event.startDate || !event.endDate) problems.push(`${where}: ICAL.Event has no dates`);
      }
    }
  } catch (error) {
    problems.push(`parse error: ${error && error.message ? error.message : error}`);
  } finally {
    [console.warn, console.error] = saved;
  }
  return { problems, components, instants };
}

const results = [];
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  for (const strict of [true, false]) {
    results.push({ file, mode: strict ? "strict" : "lenient", ...check(text, strict) });
  }
}
process.stdout.write(JSON.stringify({ version, results }) + "\n");
