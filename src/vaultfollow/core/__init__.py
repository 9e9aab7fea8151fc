"""The pure core: functions of (text, settings, now). No files, clock,
threads or vault paths; only the package's own data is read."""
