"""`vaultfollow.toml` -> frozen, validated settings.

Each key is declared once in `SPEC` with its type, default and a line of
documentation; the loader checks every key against it and reports all
problems at once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vaultfollow.core.layout import CONFIG_NAME
from vaultfollow.core.properties import FACTS, STATUS_TARGETS, PropertyMap, StatusMap, status_word
from vaultfollow.errors import ConfigError


@dataclass(frozen=True, slots=True)
class You:
    name: str = ""
    email: str = ""
    phone: str = ""
    signature: str = ""


@dataclass(frozen=True, slots=True)
class NotesSettings:
    type: str = "interview"
    tag: str = "interview"
    folders: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    discussed_headings: tuple[str, ...] = ("Discussed", "Topics", "Highlights")
    clarify_headings: tuple[str, ...] = ("Could answer better", "Clarify")
    properties: PropertyMap = ()  # `[notes.properties]`: fact -> the vault's names for it
    status: StatusMap = ()  # `[notes.status]`: the vault's status words -> vaultfollow's


@dataclass(frozen=True, slots=True)
class DraftsSettings:
    folder: str = "Follow-ups"
    templates: str = "Templates/vaultfollow"
    tone: str = "formal"


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    timezone: str = "UTC"  # a vaultfollow.toml without one gets the system's zone
    thank_you_after: timedelta = timedelta(hours=2)
    thank_you_deadline: timedelta = timedelta(hours=24)
    interview_duration: timedelta = timedelta(minutes=60)
    check_in_after: timedelta = timedelta(days=7)
    second_check_in_after: timedelta = timedelta(days=14)
    send_time: time = time(9, 0)
    working_hours: tuple[time, time] = (time(8, 0), time(20, 0))
    holidays: str = ""
    ignore_older_than: timedelta = timedelta(days=30)
    max_check_ins: int = 2
    ask_feedback: bool = False
    handwritten: bool = False
    check_in_channel: str = "email"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    path: str = "Follow-ups/followups.ics"
    name: str = "Interview follow-ups"
    kind: str = "event"
    event_duration: timedelta = timedelta(minutes=15)
    alarm: timedelta | None = timedelta(0)
    refresh: timedelta = timedelta(hours=1)
    all_day: bool = False


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8765


@dataclass(frozen=True, slots=True)
class CalDAVSettings:
    url: str = ""
    username: str = ""
    password_env: str = ""
    password_command: str = ""
    calendar: str = ""
    ca_file: str = ""


@dataclass(frozen=True, slots=True)
class MailSettings:
    """`[mail]`: the mailbox vaultfollow reads, read-only, to see what was
    sent and who replied (see `vaultfollow.mail`)."""

    host: str = ""
    port: int = 0  # 0: 993 with implicit TLS, 143 with STARTTLS or none
    username: str = ""
    password_env: str = ""
    password_command: str = ""
    oauth2_token_command: str = ""
    tls: str = "implicit"
    ca_file: str = ""
    folders: tuple[str, ...] = ()  # (): INBOX and the folder marked \Sent, else "Sent"
    look_back: timedelta = timedelta(days=60)
    poll: timedelta = timedelta(minutes=5)

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.tls == "implicit" else 143)


@dataclass(frozen=True, slots=True)
class Settings:
    you: You = field(default_factory=You)
    notes: NotesSettings = field(default_factory=NotesSettings)
    drafts: DraftsSettings = field(default_factory=DraftsSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    caldav: CalDAVSettings = field(default_factory=CalDAVSettings)
    mail: MailSettings = field(default_factory=MailSettings)

    @property
    def dashboard_path(self) -> str:
        return f"{self.drafts.folder}/Follow-ups.md"

    @property
    def decisions_path(self) -> str:
        """The drafts vaultfollow wrote and the days it first saw things
        (see `paths.DECISIONS_NAME`)."""
        return f"{self.drafts.folder}/vaultfollow-state.json"


# --- value parsers: raise ValueError with "what is allowed" -----------------

_DURATION = re.compile(r"(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?", re.IGNORECASE)


# Ten years: more than any delay between an interview and its follow-ups,
# and small enough that no date the notes may name (see
# properties.FIRST_YEAR and LAST_YEAR) plus such a duration leaves the
# calendar. A larger one overflowed in the middle of a pass.
MAX_DURATION_DAYS = 3650


def parse_duration(value: object) -> timedelta:
    """`2h`, `7d`, `90m`, `1h30m` -> timedelta, at most MAX_DURATION_DAYS."""
    if isinstance(value, str):
        match = _DURATION.fullmatch(value.strip())
        if match and any(match.groups()):
            days, hours, minutes = (int(g) if g else 0 for g in match.groups())
            # Compared as whole minutes: a timedelta of such a value may not exist.
            if (days * 24 + hours) * 60 + minutes > MAX_DURATION_DAYS * 24 * 60:
                raise ValueError(
                    f'a duration of at most {MAX_DURATION_DAYS} days, such as "7d" or "90m"'
                )
            return timedelta(days=days, hours=hours, minutes=minutes)
    raise ValueError('a duration such as "90m", "2h", "1h30m" or "7d"')


def parse_clock(value: object) -> time:
    """`09:00` -> time."""
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
        if match:
            return time(int(match[1]), int(match[2]))
    raise ValueError('a time of day such as "09:00"')


def _parse_hours(value: object) -> tuple[time, time]:
    if isinstance(value, str) and "-" in value:
        first, _, last = value.partition("-")
        start, end = parse_clock(first), parse_clock(last)
        if start < end:
            return (start, end)
    raise ValueError('a range of hours such as "08:00-20:00"')


def _parse_str(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("a quoted string")


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("true or false")


def _parse_str_list(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError('a list of strings such as ["Interviews", "Jobs/Interviews"]')


def _parse_property_map(value: object) -> PropertyMap:
    example = '{ date = ["Comm_DateTime", "Date Last Interaction"], interviewers = "Contacts" }'
    if not isinstance(value, Mapping):
        raise ValueError(f"a table of facts and property names, such as {example}")
    found = []
    for fact, names in value.items():
        if fact not in FACTS:
            raise ValueError(f"facts among {', '.join(FACTS)} (not `{fact}`), such as {example}")
        listed = [names] if isinstance(names, str) else names
        if (
            not isinstance(listed, list)
            or not listed
            or not all(isinstance(n, str) and n.strip() for n in listed)
        ):
            raise ValueError(f"for `{fact}` a property name or a list of them, such as {example}")
        found.append((fact, tuple(n.strip() for n in listed)))
    return tuple(found)


def _parse_status_map(value: object) -> StatusMap:
    example = '{ Active = "waiting", Applied = "application", Declined = "withdrawn" }'
    if not isinstance(value, Mapping):
        raise ValueError(f"a table of your status words and what they mean, such as {example}")
    found = []
    for word, meaning in value.items():
        if not isinstance(meaning, str) or meaning.strip().lower() not in STATUS_TARGETS:
            raise ValueError(
                f"for {word!r} one of {', '.join(STATUS_TARGETS)} (not {meaning!r}), "
                f"such as {example}"
            )
        if not status_word(str(word)):
            raise ValueError(f"status words that are not empty, such as {example}")
        found.append((status_word(str(word)), meaning.strip().lower()))
    return tuple(found)


def _parse_folder(value: object) -> str:
    text = _parse_str(value).strip().strip("/")
    parts = PurePosixPath(text).parts
    if not text or text.startswith("/") or ".." in parts or "\\" in text or ":" in text:
        raise ValueError('a folder inside the vault, such as "Follow-ups"')
    return "/".join(parts)  # `./Follow-ups`, `a//b`: as every path in the vault is written


def _parse_output_folder(value: object) -> str:
    """Where vaultfollow writes: a folder of its own, never the vault itself
    or a hidden folder (see `_check_outputs` for the folders it must not
    share)."""
    text = _parse_str(value).strip()
    if text.startswith(("/", "~")):
        raise ValueError('a folder inside the vault, not an absolute path, such as "Follow-ups"')
    folder = _parse_folder(value)
    if not folder:
        raise ValueError('a folder of its own, not the vault itself, such as "Follow-ups"')
    if any(part.startswith(".") for part in folder.split("/")):
        raise ValueError(
            'a folder that is not hidden (no part starts with "."), such as "Follow-ups"'
        )
    return folder


def _parse_folders(value: object) -> tuple[str, ...]:
    return tuple(_parse_folder(v) for v in _parse_str_list(value))


def _parse_ics_path(value: object) -> str:
    example = 'such as "Follow-ups/followups.ics"'
    if _parse_str(value).strip().startswith(("/", "~")):
        raise ValueError(f"a path inside the vault, not an absolute path, {example}")
    text = _parse_folder(value)
    if not text.lower().endswith(".ics"):
        raise ValueError(f"a path inside the vault ending in .ics, {example}")
    if any(part.startswith(".") for part in text.split("/")):
        raise ValueError(f'a path that is not hidden (no part starts with "."), {example}')
    return text


def _choice(*allowed: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if isinstance(value, str) and value.strip().lower() in allowed:
            return value.strip().lower()
        raise ValueError(" or ".join(f'"{a}"' for a in allowed))

    return parse


def _int_range(low: int, high: int) -> Callable[[object], int]:
    def parse(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        raise ValueError(f"a whole number from {low} to {high}")

    return parse


def _parse_timezone(value: object) -> str:
    text = _parse_str(value).strip()
    if not text:
        return ""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError('an IANA time zone name such as "Europe/Berlin"') from None
    return text


def _parse_holidays(value: object) -> str:
    text = _parse_str(value).strip()
    if not text:
        return ""
    country, _, subdivision = text.partition("-")
    import holidays

    supported = holidays.list_supported_countries()
    if country.upper() not in supported or (
        subdivision and subdivision.upper() not in supported[country.upper()]
    ):
        raise ValueError('a country code such as "DE", "US" or "US-CA" (see the holidays package)')
    return text.upper()


def _parse_alarm(value: object) -> timedelta | None:
    if value is False or value == "":
        return None
    return parse_duration(value)


def _parse_port(value: object) -> int:
    return _int_range(1, 65535)(value)


def _parse_ca_file(value: object) -> str:
    """A CA certificate file (PEM) outside the vault: absolute, or from `~`.
    Whether it exists and holds certificates is checked where it is used
    (`push.check_settings`), as this module reads no files."""
    text = _parse_str(value).strip()
    if text and not text.startswith(("/", "~")):
        raise ValueError(
            'the absolute path of a CA certificate file (PEM), such as "/etc/ssl/my-ca.pem" '
            'or "~/.config/my-ca.pem"'
        )
    return text


# --- [mail] ---------------------------------------------------------------------


def _parse_host(value: object) -> str:
    text = _parse_str(value).strip()
    if any(c.isspace() for c in text) or "/" in text:
        raise ValueError('a host name or address, such as "imap.fastmail.com"')
    return text


def _parse_mail_look_back(value: object) -> timedelta:
    duration = parse_duration(value)
    if duration < timedelta(days=1):
        raise ValueError('at least one day, such as "60d"')
    return duration


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """`host` names this machine (`localhost`, 127.0.0.0/8, `::1` or `[::1]`),
    so what is sent to it never crosses a network."""
    import ipaddress

    if host.strip("[]").casefold() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def without_userinfo(url: str) -> str:
    """`url` without the credentials written before its host (`user:password@`),
    so that they are never printed or stored."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    authority, slash, path = rest.partition("/")
    return f"{scheme}{sep}{authority.rpartition('@')[2]}{slash}{path}"


def _check_mail(mail: MailSettings, source: str) -> list[str]:
    """Choices of `[mail]` that only make sense together."""
    errors = []
    if mail.tls == "none" and mail.host and not is_loopback(mail.host):
        errors.append(
            f'{source}: [mail] tls = "none" is not allowed with host = "{mail.host}": '
            "the password would cross the network in plain text; write "
            'tls = "implicit" or "starttls" (plain text is only for a server on this machine)'
        )
    given = [
        key
        for key in ("password_env", "password_command", "oauth2_token_command")
        if getattr(mail, key)
    ]
    if len(given) > 1:
        errors.append(
            f"{source}: [mail] sets {' and '.join(given)}; write only one of them "
            "(a password or an OAuth2 token command)"
        )
    return errors


@dataclass(frozen=True, slots=True)
class Key:
    """One config key: how to read it and what it means."""

    parse: Callable[[object], Any]
    doc: str


SPEC: dict[str, dict[str, Key]] = {
    "you": {
        "name": Key(_parse_str, "Your name, used to sign drafts."),
        "email": Key(_parse_str, "Your email address."),
        "phone": Key(_parse_str, "Your phone number, for signatures."),
        "signature": Key(_parse_str, "Lines under your name in every draft."),
    },
    "notes": {
        "type": Key(_parse_str, "A note with this `type` is an interview note."),
        "tag": Key(_parse_str, "A note tagged with this (or a subtag) is an interview note."),
        "folders": Key(_parse_folders, "Every note under these folders is an interview note."),
        "exclude": Key(_parse_str_list, "Glob patterns of vault paths never read as notes."),
        "discussed_headings": Key(_parse_str_list, "Headings of sections with points to mention."),
        "clarify_headings": Key(_parse_str_list, "Headings of sections with a point to clarify."),
        "properties": Key(
            _parse_property_map, "The vault's own property names for each fact, tried first."
        ),
        "status": Key(_parse_status_map, "The vault's status words and what each one means."),
    },
    "drafts": {
        "folder": Key(_parse_output_folder, "Where drafts and the dashboard are written."),
        "templates": Key(_parse_folder, "Where your own draft templates live."),
        "tone": Key(_choice("formal", "casual"), "Default tone of drafts."),
    },
    "schedule": {
        "timezone": Key(_parse_timezone, "IANA time zone for note times without an offset."),
        "thank_you_after": Key(parse_duration, "Thank-you do-time after the interview ends."),
        "thank_you_deadline": Key(parse_duration, "Thank-you deadline after the interview starts."),
        "interview_duration": Key(
            parse_duration, "Length of an interview with no end or duration."
        ),
        "check_in_after": Key(parse_duration, "Check-in after the last interview (whole days)."),
        "second_check_in_after": Key(parse_duration, "Second check-in after the first was sent."),
        "send_time": Key(parse_clock, "Local time of day for day-based follow-ups."),
        "working_hours": Key(_parse_hours, "Thank-you do-times outside these hours move."),
        "holidays": Key(_parse_holidays, "Country (and region) whose public holidays are skipped."),
        "ignore_older_than": Key(
            parse_duration, "Follow-ups due longer ago than this are ignored."
        ),
        "max_check_ins": Key(_int_range(0, 2), "Check-ins per interview round, at most."),
        "ask_feedback": Key(_parse_bool, "Stay-connected drafts politely ask for feedback."),
        "handwritten": Key(_parse_bool, "Handwritten cards for every note with an address."),
        "check_in_channel": Key(_choice("email", "phone"), "How check-ins are made."),
    },
    "calendar": {
        "path": Key(_parse_ics_path, "The calendar file, inside the vault."),
        "name": Key(_parse_str, "The calendar's name in calendar apps."),
        "kind": Key(_choice("event", "todo"), "Write events (VEVENT) or tasks (VTODO)."),
        "event_duration": Key(parse_duration, "Length of each calendar event."),
        "alarm": Key(_parse_alarm, 'Reminder this long before the do-time; "" for none.'),
        "refresh": Key(parse_duration, "How often subscribed apps should refresh."),
        "all_day": Key(_parse_bool, "All-day entries on the do-day instead of timed ones."),
    },
    "server": {
        "host": Key(_parse_str, "Address `vaultfollow serve` binds."),
        "port": Key(_parse_port, "Port `vaultfollow serve` listens on."),
    },
    "caldav": {
        "url": Key(_parse_str, "CalDAV calendar URL for `vaultfollow push`."),
        "username": Key(_parse_str, "CalDAV user name."),
        "password_env": Key(_parse_str, "Environment variable holding the CalDAV password."),
        "password_command": Key(_parse_str, "Command that prints the CalDAV password."),
        "calendar": Key(_parse_str, "Name of the calendar to push into."),
        "ca_file": Key(
            _parse_ca_file, "CA certificate (PEM) to trust for the server's TLS certificate."
        ),
    },
    "mail": {
        "host": Key(_parse_host, "IMAP server of the mailbox `vaultfollow mail` reads."),
        "port": Key(_parse_port, "IMAP port (default 993, or 143 with STARTTLS)."),
        "username": Key(_parse_str, "IMAP user name."),
        "password_env": Key(_parse_str, "Environment variable holding the IMAP password."),
        "password_command": Key(_parse_str, "Command that prints the IMAP password."),
        "oauth2_token_command": Key(
            _parse_str, "Command that prints a fresh OAuth2 access token (XOAUTH2)."
        ),
        "tls": Key(
            _choice("implicit", "starttls", "none"),
            'TLS from the start ("implicit"), "starttls", or "none" (loopback only).',
        ),
        "ca_file": Key(_parse_ca_file, "PEM file of a private CA to trust for the IMAP server."),
        "folders": Key(_parse_str_list, "Folders to read (default: INBOX and the Sent folder)."),
        "look_back": Key(_parse_mail_look_back, "Read messages of this many days back."),
        "poll": Key(parse_duration, "How often `watch --mail` checks the mailbox."),
    },
}

_SECTIONS: dict[str, type[Any]] = {
    "you": You,
    "notes": NotesSettings,
    "drafts": DraftsSettings,
    "schedule": ScheduleSettings,
    "calendar": CalendarSettings,
    "server": ServerSettings,
    "caldav": CalDAVSettings,
    "mail": MailSettings,
}


def settings_from_mapping(
    data: Mapping[str, object], source: str = CONFIG_NAME, *, default_zone: str
) -> Settings:
    """Validate a parsed config table; raise ConfigError listing every problem.
    `default_zone`: the time zone when `[schedule] timezone` is not set (the
    machine's: see `store.machine.system_timezone`)."""
    errors: list[str] = []
    failed: set[str] = set()  # `section.key` of the values refused
    sections: dict[str, Any] = {}
    for section, table in data.items():
        if section not in SPEC:
            allowed = ", ".join(f"[{s}]" for s in SPEC)
            errors.append(f"{source}: unknown section [{section}]; allowed: {allowed}")
            continue
        if not isinstance(table, Mapping):
            errors.append(f"{source}: `{section}` must be a section: write [{section}]")
            continue
        values: dict[str, Any] = {}
        for key, value in table.items():
            spec = SPEC[section].get(key)
            if spec is None:
                allowed = ", ".join(SPEC[section])
                errors.append(f"{source}: unknown key `{key}` in [{section}]; allowed: {allowed}")
                continue
            try:
                values[key] = spec.parse(value)
            except ValueError as exc:
                failed.add(f"{section}.{key}")
                errors.append(
                    f"{source}: [{section}] {key} = {_show(value)} is not allowed; write {exc}"
                )
        sections[section] = values
    built = {name: cls(**sections.get(name, {})) for name, cls in _SECTIONS.items()}
    if not failed & {"drafts.folder", "drafts.templates", "notes.folders", "calendar.path"}:
        errors.extend(_check_outputs(built, data, source))
    errors.extend(_check_mail(built["mail"], source))
    if errors:
        raise ConfigError(errors)
    if not sections.get("schedule", {}).get("timezone"):
        built["schedule"] = _replace(built["schedule"], timezone=default_zone)
    return Settings(**built)


# Folders vaultfollow reads that no setting names: the note templates of
# Obsidian's default (never read as notes) and the starter vault's person
# notes (`[[People/Jane Doe]]`).
TEMPLATES_FOLDER = "Templates"
PEOPLE_FOLDER = "People"


def _check_outputs(built: Mapping[str, Any], data: Mapping[str, object], source: str) -> list[str]:
    """The drafts folder is never read as notes, and the outputs must not
    mix with what the user keeps: neither may share a folder with the notes,
    the templates or the person notes (a drafts folder over the notes hid
    every interview, without a word)."""
    drafts: DraftsSettings = built["drafts"]
    notes: NotesSettings = built["notes"]
    calendar: CalendarSettings = built["calendar"]
    # (what it is, its folder, why vaultfollow's files do not belong there)
    inputs = [(f'"{f}" of [notes] folders', f, "every note there is read") for f in notes.folders]
    inputs += [
        (
            f'the templates folder "{TEMPLATES_FOLDER}"',
            TEMPLATES_FOLDER,
            "notes there are templates",
        ),
        (f'[drafts] templates = "{drafts.templates}"', drafts.templates, "templates live there"),
        (f'"{PEOPLE_FOLDER}", where person notes are', PEOPLE_FOLDER, "they are read as people"),
    ]
    errors: list[str] = []
    folder = drafts.folder.casefold()
    for what, other, why in inputs:
        other_key = other.casefold()
        if folder == other_key or _inside(folder, other_key) or _inside(other_key, folder):
            errors.append(
                f"{source}: [drafts] folder = {_written(data, 'drafts', 'folder', drafts.folder)} "
                f"is not allowed: it overlaps {what} ({why}, but the drafts folder is never read "
                'as notes); write a folder of its own, such as "Follow-ups"'
            )
            break
    path = calendar.path.casefold()
    for what, other, _ in inputs:
        if _inside(path, other.casefold()):
            errors.append(
                f"{source}: [calendar] path = "
                f"{_written(data, 'calendar', 'path', calendar.path)} is not allowed: it lies in "
                f"{what}, a folder of yours (vaultfollow writes only into folders of its own); "
                'write a path such as "Follow-ups/followups.ics"'
            )
            break
    return errors


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip("/") + "/")


def _written(data: Mapping[str, object], section: str, key: str, value: str) -> str:
    """A value as the config wrote it, or the default it stands for."""
    table = data.get(section)
    if isinstance(table, Mapping) and key in table:
        return _show(table[key])
    return f"{_show(value)} (the default)"


def _replace(obj: ScheduleSettings, **changes: Any) -> ScheduleSettings:
    from dataclasses import replace

    return replace(obj, **changes)


def _show(value: object) -> str:
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def parse_config_text(text: str, source: str = CONFIG_NAME, *, default_zone: str) -> Settings:
    """TOML text -> Settings (`default_zone`: see `settings_from_mapping`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{source}: not valid TOML ({exc})"]) from None
    return settings_from_mapping(data, source, default_zone=default_zone)
