"""The decisions file (`core.layout.DECISIONS_NAME`): which drafts vaultfollow
wrote and the day it first saw each fact, as JSON that two machines merge
and never clobber. Pure: the vault reads and writes it (`Vault.load_memory`,
`Vault.save_memory`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime

from vaultfollow.core.model import Revision
from vaultfollow.core.schedule import Memory


def parse_memory(data: bytes) -> Memory:
    """The decisions as `dump_memory` wrote them (ValueError when they are not)."""
    try:
        raw = json.loads(data.decode("utf-8"))
        if not isinstance(raw, dict) or not ("format" in raw or "version" in raw):
            raise ValueError("no `format`")  # 0.1 wrote `version`
        drafted = raw["drafted"] if "drafted" in raw else raw["created"]  # 0.1: "created"
        return Memory(
            first_seen={str(k): date.fromisoformat(v) for k, v in raw["first_seen"].items()},
            created={str(k): str(v) for k, v in drafted.items()},
            revisions=_parse_revisions(raw.get("calendar_entries", {})),
        )
    except (UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None


def _parse_revisions(raw: Mapping[str, Mapping[str, object]]) -> dict[str, Revision]:
    revisions = {}
    for uid, entry in raw.items():
        sequence, changed, digest = entry["sequence"], entry["changed"], entry["digest"]
        if type(sequence) is not int or not isinstance(changed, str) or not isinstance(digest, str):
            raise ValueError(f"calendar entry {uid}: bad sequence, changed or digest")
        moment = datetime.fromisoformat(changed)
        if moment.tzinfo is None:  # written as UTC; never the machine's own zone
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
        revisions[str(uid)] = Revision(sequence, moment, str(digest))
    return revisions


def _dump_revisions(revisions: Mapping[str, Revision]) -> dict[str, dict[str, object]]:
    return {
        uid: {
            "sequence": revision.sequence,
            "changed": revision.changed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "digest": revision.digest,
        }
        for uid, revision in sorted(revisions.items())
    }


def dump_memory(memory: Memory) -> bytes:
    data: dict[str, object] = {
        "format": 1,
        "about": "vaultfollow's record of your decisions: keep it with the vault",
        "drafted": dict(sorted(memory.created.items())),
        "first_seen": {k: v.isoformat() for k, v in sorted(memory.first_seen.items())},
    }
    if memory.revisions:
        # SEQUENCE and DTSTAMP of each calendar entry, which both machines must agree on.
        data["calendar_entries"] = _dump_revisions(memory.revisions)
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def merge_memory(one: Memory, other: Memory) -> Memory:
    """Both machines' decisions: every draft either wrote, of two first
    sightings the earlier, and of two revisions of a calendar entry the later
    (higher SEQUENCE, then later DTSTAMP). The same whichever way round (no
    ping-pong)."""
    created = dict(one.created)
    for key, path in other.created.items():
        created[key] = min(path, created.get(key, path))
    first_seen = dict(one.first_seen)
    for key, day in other.first_seen.items():
        first_seen[key] = min(day, first_seen.get(key, day))
    revisions = dict(one.revisions)
    for uid, revision in other.revisions.items():
        revisions[uid] = max(revision, revisions.get(uid, revision))
    return Memory(first_seen=first_seen, created=created, revisions=revisions)


def is_decisions(current: bytes | None) -> bool:
    if current is None:
        return True
    try:
        parse_memory(current)
    except ValueError:
        return False
    return True
