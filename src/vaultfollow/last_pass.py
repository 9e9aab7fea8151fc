"""The record of the last pass: what a run where nothing changed would say.

After every pass that saw the whole vault, the engine writes (beside its
cache) a fingerprint of every input the pass used (each note's and draft's
path, modification time and size, the config, the templates, the word list,
the outputs as written), the moment until which time alone cannot change the
outputs, and what the pass reported. `vaultfollow sync` and `vaultfollow due`
first list the vault's files and compare fingerprints: when they match and
the clock lies in that window, a full pass would read nothing new, write
nothing and say the same, so its report is printed as it is, without
importing the engine. Anything else (a changed file, another version, the
time zone of the machine, a renamed vault folder, a damaged record) falls
through to a real pass. Not covered: an upgrade of a library alone (tzdata,
holidays), or of vaultfollow's code without a new version number (a
development checkout); either shows at the next change, or with `-v`.

Standard library only, and as little of it as possible: this is the path that
must cost little more than starting Python.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime

from vaultfollow import __version__
from vaultfollow.paths import (
    CONFIG_NAME,
    OBSIDIAN_TEMPLATE_SETTINGS,
    StatKey,
    fspath,
    inputs_fingerprint,
    scan_drafts,
    scan_notes,
    stat_key,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:  # not imported at run time: this module must load fast
    from collections.abc import Iterable, Mapping
    from typing import Any

    from vaultfollow.vault import Vault

# The stats of the files settings are read from, and what decides the
# machine's time zone (the default when the config names none).
SettingsStamp = tuple[dict[str, StatKey | None], list[str]]

FORMAT = 1
# A file modified this recently may be modified again without its
# modification time changing (FAT keeps 2 s, HFS+ 1 s, Linux a clock tick):
# a pass that read or wrote one leaves no record (Git's "racily clean" rule).
RACY_NS = 2_000_000_000


class _Changed(Exception):
    """Something the record cannot vouch for: do a real pass."""


def system_zone_signals() -> list[str]:
    """What decides this machine's time zone when the config names none: a
    changed value means the zone may have changed."""
    try:
        localtime = os.path.realpath("/etc/localtime")
    except OSError:
        localtime = ""
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            named = handle.read(200)
    except OSError:
        named = ""
    return [os.environ.get("TZ", ""), localtime, named]


def settings_files() -> list[str]:
    """The files settings are read from (stat them before reading them)."""
    return [CONFIG_NAME, *(rel for rel, _ in OBSIDIAN_TEMPLATE_SETTINGS)]


def stamp_settings(vault: Vault) -> SettingsStamp:
    """What settings are read from, to be taken before reading them (a file
    changed in between then never looks unchanged)."""
    return {rel: vault.stat(rel) for rel in settings_files()}, system_zone_signals()


def same_but_later(old: bytes | None, new: bytes) -> bool:
    """Whether the record on disk says the same as `new` but for the moment
    of its pass (an earlier one: it vouches for at least as long)."""
    if old is None:
        return False
    try:
        before, after = json.loads(old), json.loads(new)
        start, now = before.pop("now"), after.pop("now")
        earlier = datetime.fromisoformat(start) <= datetime.fromisoformat(now)
        return bool(before == after and earlier)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def is_racy(stats: Iterable[StatKey | None]) -> bool:
    """Whether any of these files was modified too recently to vouch for."""
    horizon = time.time_ns() - RACY_NS
    return any(stat is not None and stat[0] > horizon for stat in stats)


def make_record(
    *,
    notes: Mapping[str, StatKey],
    drafts: Mapping[str, StatKey],
    files: Mapping[str, StatKey | None],
    scan: Mapping[str, Any],
    zone_signals: list[str],
    vault_name: str,
    timezone: str,
    now: datetime,
    until: datetime,
    report: Mapping[str, Any],
) -> bytes:
    """The record's bytes. `scan` says how notes and drafts were listed
    (skip, exclude, drafts, dashboard); `report` is what a repeat of the
    pass prints (kept, unchanged, pending, problems, plan_problems, due)."""
    data = {
        "format": FORMAT,
        "version": __version__,
        "fingerprint": inputs_fingerprint(notes, drafts, files),
        "files": sorted(files),
        "scan": dict(scan),
        "zone_signals": zone_signals,
        "vault_name": vault_name,
        "timezone": timezone,
        "now": now.isoformat(),
        "until": until.isoformat(),
        "report": dict(report),
    }
    # Compact: an indented dump is encoded in Python, many times slower.
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def still_true(
    root: str, record_bytes: bytes | None, now_text: str | None
) -> dict[str, Any] | None:
    """The last pass's report when it still holds for the vault at `root`
    (at `now_text`, else the clock); None when a real pass is needed."""
    if not record_bytes:
        return None
    try:
        data = json.loads(record_bytes)
        if data["format"] != FORMAT or data["version"] != __version__:
            return None
        if data["zone_signals"] != system_zone_signals():
            return None
        if data["vault_name"] != os.path.basename(os.path.realpath(root)):
            return None  # links to notes name the vault
        now = _now(now_text, data["timezone"])
        start = datetime.fromisoformat(data["now"])
        until = datetime.fromisoformat(data["until"])
        if now is None or not start <= now < until:
            return None
        scan = data["scan"]
        notes = scan_notes(root, scan["skip"], scan["exclude"], _abort)
        drafts = scan_drafts(root, scan["drafts"], _abort)
        drafts.pop(scan["dashboard"], None)
        files = {rel: stat_key(fspath(root, rel)) for rel in data["files"]}
        if inputs_fingerprint(notes, drafts, files) != data["fingerprint"]:
            return None
        report: dict[str, Any] = data["report"]
        return report if _well_formed(report) else None
    except (_Changed, ValueError, KeyError, TypeError, AttributeError):
        return None


_ROW_KEYS = ("kind", "company", "role", "to", "do", "deadline", "state", "draft", "source")


def _well_formed(report: Any) -> bool:
    """Whether the report holds what `entry.print_sync` and `print_due` print."""

    def strings(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)

    def row(value: Any) -> bool:
        if not isinstance(value, dict) or not all(
            isinstance(value.get(key), str) for key in _ROW_KEYS
        ):
            return False
        try:
            datetime.fromisoformat(value["do"])
        except ValueError:
            return False
        return True

    return (
        isinstance(report, dict)
        and strings(report.get("kept"))
        and strings(report.get("problems"))
        and strings(report.get("plan_problems"))
        and type(report.get("unchanged")) is int
        and type(report.get("pending")) is int
        and isinstance(report.get("due"), list)
        and all(row(item) for item in report["due"])
    )


def _abort(folder: str, exc: OSError) -> None:
    raise _Changed(folder)  # a real pass says what went wrong


def _now(now_text: str | None, timezone: str) -> datetime | None:
    if now_text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(now_text)
    except ValueError:
        return None  # the real pass explains the mistake
    if moment.tzinfo is None:
        from zoneinfo import ZoneInfo

        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment
