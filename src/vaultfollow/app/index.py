"""What a pass reads: the vault's notes, drafts and person notes, kept in
the cache between passes and keyed by each file's size and modification
time, so that only files that changed are read again; the link targets and
conflict copies among the notes; and the plan's inputs, from memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from vaultfollow.app.own_writes import sha
from vaultfollow.core.copies import CopyName, conflict_copy_of
from vaultfollow.core.goes_by import names_as_used
from vaultfollow.core.layout import CONFIG_NAME, in_folders, is_excluded, printable
from vaultfollow.core.links import (
    LinkedFacts,
    enrich_people,
    fill_from_links,
    needs_links,
    parse_linked_note,
    parse_person_note,
    person_links,
)
from vaultfollow.core.model import DraftRecord, InterviewNote, Person, Problem
from vaultfollow.core.notes import NoteResult, parse_note
from vaultfollow.errors import ConfigError, VaultfollowError
from vaultfollow.store.cache import CachedDraft, CachedNote
from vaultfollow.store.paths import StatKey, note_stat

if TYPE_CHECKING:
    from datetime import date

    from vaultfollow.app.own_writes import OwnWrites
    from vaultfollow.core.config import Settings
    from vaultfollow.store.cache import Cache
    from vaultfollow.store.vault import Vault

log = logging.getLogger(__name__)

PREFIX_BYTES = 4096  # enough to see the front matter of almost every note
# The templates a vault may override (the same names as drafts.DEFAULT_TEMPLATE_NAMES,
# repeated here so that a pass with nothing to render never imports Jinja2).
TEMPLATE_NAMES = frozenset(
    f"{kind}-{tone}.md"
    for kind in ("thank-you", "check-in", "second-check-in", "stay-connected")
    for tone in ("formal", "casual")
) | {"phone-script.md", "handwritten-note.md"}


class Interrupted(VaultfollowError):
    """A pass was stopped before it wrote anything (shutdown requested)."""


class Index:
    """The notes, drafts and person notes of one vault as last read, in the
    cache it shares with the outputs."""

    def __init__(self, vault: Vault, settings: Settings, cache: Cache, own: OwnWrites) -> None:
        self.vault = vault
        self.settings = settings
        self._cache = cache
        self._own = own  # a draft read back as this engine wrote it is its own write
        self._skip: list[str] = []
        # The notes named as copies of others; None: notes appeared or went.
        self._copies: list[tuple[str, CopyName]] | None = None
        self._targets: tuple[frozenset[str], dict[str, str]] | None = None
        self._empty_ok: set[str] = set()
        self._bad_names: set[str] = set()  # notes whose names are not UTF-8: never read
        self.scanned = False
        self._said: dict[str, str] = {}  # note -> the reason it is not read, as last said

    # --- paths ---------------------------------------------------------------

    def note_paths(self) -> dict[str, StatKey | None]:
        """Every note of the vault with its (mtime_ns, size), None for a
        note the cache does not know (it is read, and stated then)."""
        templates = self.vault.templates_folders()
        _check_drafts_folder(self.settings.drafts.folder, templates)
        self._skip = [self.settings.drafts.folder, *templates]
        known = self._cache.notes.keys() | self._cache.plain.keys()
        return self.vault.scan(self._skip, self.settings.notes.exclude, known)

    def is_note_path(self, rel: str) -> bool:
        if not rel.lower().endswith(".md") or any(p.startswith(".") for p in rel.split("/")):
            return False
        return not in_folders(rel, self._skip) and not is_excluded(rel, self.settings.notes.exclude)

    def is_draft_path(self, rel: str) -> bool:
        return (
            rel.lower().endswith(".md")
            and in_folders(rel, [self.settings.drafts.folder])
            and rel != self.settings.dashboard_path
            and not any(p.startswith(".") for p in rel.split("/"))
        )

    def is_template_path(self, rel: str) -> bool:
        folder, _, name = rel.rpartition("/")
        return folder == self.settings.drafts.templates and name in TEMPLATE_NAMES

    def accept_empty(self, rel: str) -> None:
        """The note really is empty now (not a save in progress): read it so."""
        self._empty_ok.add(rel)

    def refresh_bad_name(self, rel: str) -> None:
        """`rel`, whose name is not UTF-8, changed: a note of that name is
        said (never read) while it exists."""
        if self.is_note_path(rel) and self.vault.exists(rel):
            self._bad_names.add(rel)
        else:
            self._bad_names.discard(rel)

    # --- reading -------------------------------------------------------------

    def read_all(self, retry: list[str], should_stop: Callable[[], bool] = lambda: False) -> None:
        """Bring the cache up to date with every note and draft of the vault
        (`retry`: notes read as empty, to look at again soon)."""
        stats = self.note_paths()
        self._bad_names = {rel for rel in stats if not is_utf8(rel)}
        for rel in self._bad_names:
            del stats[rel]
        for known in (self._cache.notes, self._cache.plain):
            for rel in known.keys() - stats.keys():
                del known[rel]
                self._cache.dirty = True
                self._copies = None
            self._copies = None
        stale = [
            rel
            for rel, key in stats.items()
            if (self._new_note(rel) if key is None else self._needs_read(rel, key, retry))
        ]
        for index, rel in enumerate(stale):
            if index % 256 == 0 and should_stop():
                raise Interrupted("stopped before the pass finished; nothing was written")
            key = stats[rel]
            if key is None:  # not stated yet: stated as it is opened
                key, result = self._read_new_note(rel)
            else:
                result = self._read_note(rel)
            if key is not None:  # else gone since the scan, and never known
                self._keep_note(rel, key, result)
        drafts = self.vault.scan_folder(self.settings.drafts.folder)
        for rel in set(self._cache.drafts) - set(drafts):
            del self._cache.drafts[rel]
            self._cache.dirty = True
        for rel in drafts:
            if rel != self.settings.dashboard_path and is_utf8(rel):
                self.refresh_draft(rel)
        self.scanned = True

    def _stat(self, rel: str) -> StatKey | None:
        return self.vault.stat(rel)

    def refresh_note(self, rel: str, retry: list[str], key: StatKey | None = None) -> None:
        if key is None:
            key = note_stat(str(self.vault.root), rel)  # None: gone, or a link out of the vault
        if self._needs_read(rel, key, retry):
            assert key is not None
            self._keep_note(rel, key, self._read_note(rel))

    def _needs_read(self, rel: str, key: StatKey | None, retry: list[str]) -> bool:
        """Whether the note at `rel`, now `key` (None: gone), must be read;
        forgets what is stale about it on the way."""
        notes, plain = self._cache.notes, self._cache.plain
        if key is None:
            removed = notes.pop(rel, None) is not None
            removed = plain.pop(rel, None) is not None or removed
            if self._cache.people.pop(rel, None) is not None or removed:
                self._cache.dirty = True
            if removed:
                self._copies = None
            return False
        cached = notes.get(rel)
        old_key = cached.key if cached is not None else plain.get(rel)
        if old_key == key:
            return False
        if key[1] == 0 and old_key is not None and old_key[1] > 0 and rel not in self._empty_ok:
            # An editor that truncates, then writes: wait for the content.
            retry.append(rel)
            return False
        self._empty_ok.discard(rel)
        self._cache.people.pop(rel, None)
        self._cache.dirty = True
        if old_key is None:
            self._copies = None  # a new note: link targets and conflict copies may change
        return True

    def _new_note(self, rel: str) -> bool:
        """A note the cache does not know is to be read (see `_needs_read`)."""
        self._empty_ok.discard(rel)
        self._cache.people.pop(rel, None)
        self._cache.dirty = True
        self._copies = None  # link targets and conflict copies may change
        return True

    def _read_note(self, rel: str) -> NoteResult | None:
        """What the note at `rel` holds; None when it cannot be an interview
        note."""
        listed = in_folders(rel, self.settings.notes.folders)
        if not listed and not self._might_mention(rel):
            return None
        return self._parse_note_file(rel, listed)

    def _read_new_note(self, rel: str) -> tuple[StatKey | None, NoteResult | None]:
        """`_read_note` of a note not stated yet, with its stat taken from the
        open file (None: it is gone)."""
        key, head = self.vault.stat_and_prefix(rel, PREFIX_BYTES)
        if key is None:
            key = self._stat(rel)  # there, but not readable: the full read says why
            if key is None:
                return None, None  # gone since the scan
        listed = in_folders(rel, self.settings.notes.folders)
        if not listed and not self._mentions(head):
            return key, None
        return key, self._parse_note_file(rel, listed)

    def _parse_note_file(self, rel: str, listed: bool) -> NoteResult | None:
        """`_read_note` past the prefix test."""
        read = self.vault.read(rel)
        if read.text is None:
            result = NoteResult()
            # Said when listed, or when its properties mention the interview
            # type or tag (a binary file with the word in it is no note).
            head = self.vault.read_prefix(rel, PREFIX_BYTES)
            mentions = (
                head is not None
                and head.removeprefix(b"\xef\xbb\xbf").startswith(b"---")
                and self._names_interview(head.decode("utf-8", "replace"))
            )
            if read.error and (listed or mentions or self._might_be_interview(rel)):
                result.problems.append(Problem(rel, read.error))
            else:
                log.debug("%s: %s", rel, read.error)
        elif listed or self._names_interview(read.text):
            result = parse_note(rel, read.text, self.settings)
        else:
            return None
        if result.note is None and not result.problems and result.reason is None:
            return None
        return result

    def _keep_note(self, rel: str, key: StatKey, result: NoteResult | None) -> None:
        notes, plain = self._cache.notes, self._cache.plain
        if result is None:
            if notes.pop(rel, None) is not None:
                self._copies = None  # no longer an interview note: nor a copy of one
            plain[rel] = key  # nothing to remember but that it is not an interview
        else:
            if rel not in notes:
                self._copies = None  # an interview note now: it may be a copy, or have one
            plain.pop(rel, None)
            notes[rel] = CachedNote(
                key, result.note, result.problems, result.is_interview, result.reason
            )

    def _might_mention(self, rel: str) -> bool:
        """Cheap test on the first bytes: only a note whose front matter
        mentions the interview type or tag can be an interview note (outside
        the listed folders), so every other note is rejected before any YAML
        is parsed."""
        return self._mentions(self.vault.read_prefix(rel, PREFIX_BYTES))

    def _mentions(self, head: bytes | None) -> bool:
        """`_might_mention` of a note's first bytes (None: unreadable): its
        properties, inline fields or tags would name the interview type or
        tag, or the word interview. A note longer than the prefix is read in
        full (a tag may be anywhere in it) and looked at again then."""
        if head is None or len(head) >= PREFIX_BYTES:
            return True
        return self._names_interview(head.decode("utf-8", "replace"))

    def _names_interview(self, text: str) -> bool:
        folded = text.casefold()
        words = (self.settings.notes.type.casefold(), self.settings.notes.tag.casefold())
        return any(word in folded for word in words) or "interview" in folded

    def _might_be_interview(self, rel: str) -> bool:
        return in_folders(rel, self.settings.notes.folders) or "interview" in rel.casefold()

    def refresh_draft(
        self, rel: str, written: bytes | None = None, record: DraftRecord | None = None
    ) -> None:
        """Bring the cache up to date with one draft (`written`: the bytes
        this engine just wrote there, so they need not be read back, and
        `record`: what they say, so they need not be parsed)."""
        drafts = self._cache.drafts
        key = self.vault.written.get(rel) if written is not None else None
        key = key or note_stat(str(self.vault.root), rel)  # a link out of the vault: gone
        if key is None:
            if drafts.pop(rel, None) is not None:
                self._cache.dirty = True
            self._own.forget(rel)
            return
        cached = drafts.get(rel)
        if cached is not None and cached.key == key:
            self._own.assume(rel, cached.digest)
            return
        data = written if written is not None else self.vault.read_bytes(rel)
        self._cache.dirty = True
        if data is None:
            drafts.pop(rel, None)
            return
        problems: list[Problem] = []
        if written is None or record is None:
            from vaultfollow.core.draftfile import read_draft

            record, problems = read_draft(rel, data.decode("utf-8", "replace"))
        drafts[rel] = CachedDraft(key, record, problems, sha(data))
        if written is not None:
            self._own.wrote(rel, data)  # ours: its event is our own write

    def _person(self, rel: str) -> Person | None:
        key = self._stat(rel)
        cached = self._cache.people.get(rel)
        if cached is not None and cached[0] == key:
            return cached[1]
        read = self.vault.read(rel)
        named = rel.rsplit("/", 1)[-1].removesuffix(".md")
        person = parse_person_note(read.text, named) if read.text else None
        if key is not None:
            self._cache.people[rel] = (key, person)
            self._cache.dirty = True
        return person

    def _linked_facts(self, links: frozenset[str]) -> dict[str, LinkedFacts]:
        """The facts the notes behind `links` hold (read each pass: only notes
        that lack a fact of their own link to them)."""
        targets = self._targets[1] if self._targets else {}  # `_people_for` found them
        found: dict[str, LinkedFacts] = {}
        for link in sorted(links):
            path = targets.get(link)
            read = self.vault.read(path) if path else None
            facts = parse_linked_note(read.text, self.settings) if read and read.text else None
            if facts is not None:
                found[link] = facts
        return found

    def _people_for(
        self, notes: Iterable[InterviewNote], facts: frozenset[str] = frozenset()
    ) -> dict[str, Person]:
        """Person notes linked from interview notes, found as Obsidian finds
        them: by path, else by file name anywhere in the vault (the targets
        of `facts`, links to notes that may hold facts, found on the way)."""
        people = frozenset(link for note in notes for link in person_links(note))
        links = people | facts
        if not links:
            return {}
        targets = self._link_targets(links)
        found: dict[str, Person] = {}
        for link in sorted(people):
            path = targets.get(link)
            person = self._person(path) if path else None
            if person is not None:
                found[link] = person
        return found

    def _link_targets(self, links: frozenset[str]) -> dict[str, str]:
        """The note each link points to (case-insensitive path, else the
        shallowest note of that name). Only notes whose name is linked are
        remembered, so a big vault costs one walk over its paths per change
        of the note set or the links, and no lasting index of every path."""
        if self._targets is not None and self._targets[0] == links and self._copies is not None:
            return self._targets[1]
        wanted = {link.rsplit("/", 1)[-1].casefold() for link in links}
        candidates: list[str] = []
        for rel in (*self._cache.notes, *self._cache.plain):
            if rel.rsplit("/", 1)[-1][:-3].casefold() in wanted:
                candidates.append(rel)
        candidates.sort(key=lambda p: (p.count("/"), p))
        by_path = {rel[:-3].casefold(): rel for rel in candidates}
        by_name: dict[str, str] = {}
        for rel in candidates:
            by_name.setdefault(rel.rsplit("/", 1)[-1][:-3].casefold(), rel)
        targets: dict[str, str] = {}
        for link in links:
            target = by_path.get(link.casefold()) or by_name.get(link.rsplit("/", 1)[-1].casefold())
            if target is not None:
                targets[link] = target
        self._paths_index()  # the note set is now known: keeps self._copies valid
        self._targets = (links, targets)
        return targets

    def _paths_index(self) -> list[tuple[str, CopyName]]:
        """The interview notes whose names make them look like copies of
        other notes: found again only when a note appeared or disappeared or
        became an interview note (or stopped being one), not on every pass.
        Only interview notes are looked at: a copy of any other note is none
        of vaultfollow's business, and a big vault has few of them."""
        if self._copies is None:
            existing = self._cache.notes.keys() | self._cache.plain.keys()
            self._copies = [
                (rel, copy)
                for rel in sorted(self._cache.notes)
                if (copy := conflict_copy_of(rel, existing))
            ]
            self._targets = None
        return self._copies

    def _conflict_problems(self) -> list[Problem]:
        """The copies among the interview notes: a copy a sync service named
        so, and a numbered or machine-named copy that holds the same
        interview as its original (decided from what both say now, so an
        edit of either decides again)."""
        notes = self._cache.notes
        problems = []
        for rel, copy in self._paths_index():
            if copy.by_service:
                problems.append(Problem(rel, _service_copy_message(copy)))
                continue
            mine, theirs = notes[rel].note, notes.get(copy.original)
            if mine is None or theirs is None or theirs.note is None:
                continue
            if _interview_of(mine) == _interview_of(theirs.note):
                problems.append(Problem(rel, _same_interview_message(copy, theirs.note)))
        return problems

    # --- the plan's inputs ---------------------------------------------------

    def plan_inputs(self) -> tuple[list[InterviewNote], list[DraftRecord], list[Problem]]:
        """The interview notes (with the people they link), the drafts and
        the problems found reading them, from what was read."""
        conflicts = self._conflict_problems()
        copies = {p.path for p in conflicts}
        cached = sorted(
            (rel, c)
            for rel, c in self._cache.notes.items()
            if (c.note is not None or c.problems) and rel not in copies
        )
        notes = [c.note for _, c in cached if c.note]
        for rel, c in sorted(self._cache.notes.items()):
            if c.reason and self._said.get(rel) != c.reason:  # `-v`: once, not every pass
                self._said[rel] = c.reason
                log.debug("%s: %s", printable(rel), c.reason)
        problems = [p for _, c in cached for p in c.problems]
        problems += [
            Problem(
                printable(rel),
                "its name is not UTF-8 text, so vaultfollow cannot keep track of it; "
                "rename the file (in Obsidian or your file manager)",
            )
            for rel in sorted(self._bad_names)
        ]
        wanted = frozenset(link for note in notes if needs_links(note) for link in note.links)
        people = self._people_for(notes, wanted)
        notes = [enrich_people(note, people) for note in notes]
        if wanted:
            facts = self._linked_facts(wanted)
            filled = []
            for note in notes:
                if needs_links(note):
                    kept, missing = fill_from_links(note, facts)
                    problems += missing
                    if kept is not None:
                        filled.append(kept)
                else:
                    filled.append(note)
            notes = filled
        notes = [names_as_used(note) for note in notes]
        drafts = [d.record for _, d in sorted(self._cache.drafts.items()) if d.record]
        draft_problems = [p for _, d in sorted(self._cache.drafts.items()) for p in d.problems]
        return notes, drafts, [*problems, *draft_problems, *conflicts]


def _interview_of(note: InterviewNote) -> tuple[str, str, date | None]:
    """What makes two notes one interview: company, role, first day."""
    first = min((r.start for r in note.rounds), default=None)
    return (
        note.company.strip().casefold(),
        note.role.strip().casefold(),
        first.date() if first else None,
    )


def _service_copy_message(copy: CopyName) -> str:
    return (
        f"looks like a conflict copy of {copy.original}: a sync service added "
        f"`{copy.mark.strip()}` to its name. Only {copy.original} is read: merge into it "
        "what you want to keep from this copy (vaultfollow never changes either)"
    )


def _same_interview_message(copy: CopyName, original: InterviewNote) -> str:
    _, _, day = _interview_of(original)
    facts = ", ".join(f for f in (original.company, original.role, str(day or "")) if f)
    name = copy.original.rpartition("/")[2]
    own_name = f"{name[:-3]} - afternoon{name[-3:]}"
    return (
        f"looks like a copy of {copy.original}: it holds the same company, role and date "
        f"({facts}). Only {copy.original} is read: merge into it what you want to keep "
        "from this copy (vaultfollow never changes either). If this is another interview, "
        f"give it a name of its own, such as `{own_name}`"
    )


def _check_drafts_folder(folder: str, templates: Iterable[str]) -> None:
    """ConfigError when `[drafts] folder` is, holds or lies in a templates
    folder Obsidian's or Templater's settings name (`vaultfollow.toml`
    alone cannot tell: see config.py for the folders it names)."""
    for other in templates:
        if (
            other.casefold() == folder.casefold()
            or in_folders(folder, [other])
            or in_folders(other, [folder])
        ):
            raise ConfigError(
                [
                    f"{CONFIG_NAME}: [drafts] folder is {folder!r}, which overlaps the note "
                    f"templates folder {other!r} (set in Obsidian's or Templater's settings); "
                    'give the drafts a folder of their own, such as "Follow-ups"'
                ]
            )


def is_utf8(rel: str) -> bool:
    """A path decoded from a name that is valid UTF-8 (no escaped bytes)."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
