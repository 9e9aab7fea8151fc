"""What a vault's own notes show about how its owner keeps job applications
and interviews: the `[notes]` settings `vaultfollow init` writes into an
existing vault, each with what it was based on.

A pure function of the notes' (path, text). Conservative by design: a
setting is proposed only when most notes of a folder agree on it, and what
cannot be told for sure is left out or offered as a commented line. A
missing setting is a line the user adds; a wrong one reads a vault wrongly
without a word.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from vaultfollow.core.body_fields import body_tags, note_fields
from vaultfollow.core.body_rounds import body_rounds
from vaultfollow.core.model import STATUSES
from vaultfollow.core.properties import (
    ALIASES,
    TRACKER_WORDS,
    ValueProblem,
    normalise_key,
    read_datetime,
    read_tags,
    status_word,
)

# A folder's notes are adopted when at least this share of them look like
# applications or interviews (and at least MIN_NOTES do): a prep checklist
# beside two applications is no reason to leave them out, and a note there
# that holds no interview's facts is not read as one.
FOLDER_SHARE = 2 / 3
# A tag is proposed when this share of the job notes carry it, and this
# share of the notes that carry it are job notes.
TAG_SHARE = 0.75
MIN_NOTES = 2
# A property is taken for a fact when this share of the notes that have it
# hold the right kind of value (dates for a date, names for people...).
KIND_SHARE = 0.75
# A property that is not called `status` is taken for the status only when
# most of its values are words job trackers use.
STATUS_WORD_SHARE = 0.5

# Property names (normalised) that may hold each fact, beyond vaultfollow's
# own names and aliases. Only names that say what they hold: `title` is a
# person note's job title as often as a role, so it is not among them.
_NAMES: dict[str, frozenset[str]] = {
    "company": frozenset(
        {"org", "company_name", "employer_name", "firm", "hiring_company", "organisation_name"}
    ),
    "role": frozenset(
        {"job_role", "role_title", "position_title", "position_name", "job_name", "opening"}
    ),
    "status": frozenset(
        {
            "app_stage",
            "application_stage",
            "application_status",
            "job_status",
            "pipeline_stage",
            "stage",
            "state",
            "progress",
        }
    ),
    "interviewers": frozenset(
        {
            "contacts",
            "people",
            "attendees",
            "participants",
            "met_with",
            "interviewed_with",
            "interviewed_by",
            "interviewer_names",
        }
    ),
    "contact": frozenset({"recruiter_name", "point_of_contact", "contact_person", "poc"}),
}
# A date property is an interview's date when its name says so: these words,
# and none of the words of the dates around an interview (applied, found...).
_DATE_WORDS = frozenset(
    {"interview", "interviewed", "round", "comm", "communication", "meeting", "call", "met"}
)
_NOT_INTERVIEW_DATE = frozenset(
    {
        "applied",
        "application",
        "apply",
        "found",
        "created",
        "modified",
        "updated",
        "follow",
        "reminder",
        "deadline",
        "decision",
        "posted",
        "posting",
        "closing",
        "due",
        "response",
        "responded",
        "birth",
        "offer",
    }
)
# The facts init maps, in the order they are written.
_FACTS = ("company", "role", "date", "interviewers", "contact", "status")
_KIND = {
    "company": "text",
    "role": "text",
    "date": "dates",
    "interviewers": "people",
    "contact": "people",
    "status": "status words",
}
# A person note, not an application, unless it also has a status.
_PERSON_KEYS = frozenset({"email", "phone", "linkedin", "mobile"})
# Words in a note's path, tags or property names that say it is about a job.
_JOB_WORDS = re.compile(
    r"job|interview|application|recruit|hiring|career|candidate|vacanc", re.IGNORECASE
)

# A guess offered, commented out, for a status word vaultfollow does not
# know (`properties.TRACKER_WORDS` holds those it does); "waiting" otherwise.
_SUGGESTED = {
    "closed": "rejected",
    "on-hold": "waiting",
    "paused": "waiting",
    "cancelled": "withdrawn",
    "canceled": "withdrawn",
    "expired": "withdrawn",
    "archived": "withdrawn",
}
# Base year for dated round headings: rounds are only counted here.
_ANY_YEAR = 2000

_WIKILINK = re.compile(r"\[\[([^\[\]|#^]+)")

# --- one note, as init sees it ----------------------------------------------


@dataclass(frozen=True, slots=True)
class _Note:
    path: str
    props: Mapping[str, tuple[str, Any]]  # normalised key -> (key as written, value)
    tags: frozenset[str]  # with every parent of a nested tag
    links: frozenset[str]  # link targets: file names without folder or `.md`, folded
    has_round: bool  # a heading with a date and a word such as interview, round, stage
    marked: bool  # `type: interview` or tagged #interview: read without any setting

    @property
    def name(self) -> str:
        return _link_name(self.path)


def _link_name(target: str) -> str:
    name = target.strip().rsplit("/", 1)[-1]
    if name.lower().endswith(".md"):
        name = name[:-3]
    return name.casefold()


def read_note(path: str, text: str) -> _Note:
    """A note's properties (front matter, then inline fields: front matter
    wins), tags (front matter and body), links and whether it has a dated
    round heading. Never fails: what cannot be read is left out."""
    fields = note_fields(text, lenient=True)
    props: dict[str, tuple[str, Any]] = {}
    for key, value in (fields.front or {}).items():
        props.setdefault(normalise_key(str(key)), (str(key), value))
    for field in fields.inline:
        props.setdefault(normalise_key(field.key), (field.key, field.value))
    tags = set(read_tags(props.get("tags", ("", None))[1]))
    tags.update(read_tags(props.get("tag", ("", None))[1]))
    tags.update(body_tags(fields.lines))
    every_tag = {"/".join(t.split("/")[: n + 1]) for t in tags for n in range(t.count("/") + 1)}
    has_round = bool(body_rounds(fields.body, base_year=_ANY_YEAR).rounds)
    links = frozenset(_link_name(m) for m in _WIKILINK.findall(text))
    kind = props.get("type", ("", None))[1]
    marked = "interview" in every_tag or (isinstance(kind, str) and kind.casefold() == "interview")
    return _Note(path, props, frozenset(every_tag), links, has_round, marked)


# --- values -----------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _is_date(value: Any) -> bool:
    if isinstance(value, date):
        return True
    if isinstance(value, str):
        try:
            read_datetime(value.strip())
        except ValueProblem:
            return False
        return True
    return False


def _is_text(value: Any) -> bool:
    while isinstance(value, list) and len(value) == 1:  # `[[Acme]]` unquoted
        value = value[0]
    return isinstance(value, str) and bool(value.strip()) and not _is_date(value)


def _is_people(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and all(_is_text(item) or isinstance(item, list) for item in value)
    return _is_text(value)


def _status_word(value: Any) -> str | None:
    """A status value as a word a tracker uses (`Active`, `in progress`,
    `#application/applied`), or None when it is not one (a sentence, a link)."""
    if not isinstance(value, str):
        return None
    word = value.strip()
    if not word or len(word) > 30 or any(c in word for c in "[]:|{}"):
        return None
    return word


def _known_word(word: str) -> bool:
    """A word vaultfollow reads as a status without any map."""
    folded = status_word(word)
    return folded in TRACKER_WORDS or folded in STATUSES


def _built_in(fact: str, key: str) -> bool:
    return key == fact or ALIASES.get(key) == fact


def _may_hold(fact: str, key: str) -> bool:
    """Whether a property of this (normalised) name may hold `fact`."""
    if _built_in(fact, key):
        return True
    if fact == "date":
        words = set(key.split("_"))
        return bool(words & _DATE_WORDS) and not words & _NOT_INTERVIEW_DATE
    return key in _NAMES.get(fact, ())


def _fits(fact: str, value: Any) -> bool:
    if fact == "date":
        return _is_date(value)
    if fact in ("interviewers", "contact"):
        return _is_people(value)
    if fact == "status":
        word = _status_word(value)
        return word is not None
    return _is_text(value)


def _values(note: _Note, fact: str) -> list[tuple[str, str, Any]]:
    """(normalised key, key as written, value) of each property of the note
    that may hold `fact`, with a value of the right kind."""
    return [
        (key, spelled, value)
        for key, (spelled, value) in note.props.items()
        if _may_hold(fact, key) and not _is_empty(value) and _fits(fact, value)
    ]


def _has(note: _Note, fact: str) -> bool:
    if fact == "status":
        return any(_known_word(str(v)) for _, _, v in _values(note, "status"))
    return bool(_values(note, fact))


def _is_application(note: _Note) -> bool:
    if not _has(note, "company"):
        return False
    if _has(note, "status"):
        return True
    if _PERSON_KEYS & note.props.keys():  # a person note: a company and a job title
        return False
    return _has(note, "role")


def _is_meeting(note: _Note) -> bool:
    """A date and people: an interview, when it is about a job."""
    return _has(note, "date") and (_has(note, "interviewers") or _has(note, "contact"))


# --- the result -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PropertyNames:
    """One line of `[notes.properties]`: a fact and the vault's names for it."""

    fact: str
    names: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StatusWord:
    """One word of the vault's status property and what it means."""

    word: str
    status: str | None  # None: not mapped (a commented line suggests one)
    key: str  # the property as written, e.g. `App-Stage`
    notes: int


@dataclass(frozen=True, slots=True)
class Group:
    """The notes of one adopted folder (or of the adopted tag)."""

    label: str  # "Job Search/Applications" or "notes tagged #job-applications"
    applications: int
    with_rounds: int
    meetings: int  # notes with a date and people (communication logs)
    total: int  # every note there


@dataclass(frozen=True, slots=True)
class Adoption:
    """What init found, to write as `[notes]` settings and to say."""

    notes_read: int
    folders: tuple[str, ...] = ()
    folder_evidence: tuple[str, ...] = ()
    tag: str | None = None
    tag_evidence: str = ""
    groups: tuple[Group, ...] = ()
    properties: tuple[PropertyNames, ...] = ()
    statuses: tuple[StatusWord, ...] = ()
    elsewhere: tuple[str, ...] = ()  # application-like notes no setting covers
    marked: int = 0  # of those, the notes read anyway (`type: interview`, #interview)
    tag_kept: str = ""  # why no tag was proposed although one was seen

    @property
    def applications(self) -> int:
        return sum(g.applications for g in self.groups)

    @property
    def with_rounds(self) -> int:
        return sum(g.with_rounds for g in self.groups)

    @property
    def found_any(self) -> bool:
        return bool(self.folders or self.tag)

    def _elsewhere(self, why: str) -> list[str]:
        """What to say of the job notes no setting covers."""
        if not self.elsewhere:
            return []
        unread = len(self.elsewhere) - self.marked
        if not unread:
            return [
                f"Found {_look(self.marked)} ({_some(self.elsewhere)}), read already by "
                "`type: interview` or #interview."
            ]
        also = f" ({self.marked} of them read already, by `type: interview` or #interview)"
        return [
            f"Found {_look(len(self.elsewhere))} ({_some(self.elsewhere)}), {why}"
            f"{also if self.marked else ''}; add their folder to [notes] folders if they are."
        ]

    # --- as TOML ------------------------------------------------------------

    def notes_keys(self) -> str:
        """The `[notes]` lines: folders and tag, each after its evidence."""
        lines: list[str] = []
        if self.folders:
            lines.append("# Found by `vaultfollow init`:")
            lines += [f"# {line}" for line in self.folder_evidence]
            lines.append(f"folders = [{', '.join(toml_string(f) for f in self.folders)}]")
        else:
            lines.append("# folders = []")
        if self.tag:
            lines.append(f"# Found by `vaultfollow init`: {self.tag_evidence}")
            lines.append(f"tag = {toml_string(self.tag)}")
        return "\n".join(lines) + "\n"

    def notes_tables(self) -> str:
        """`[notes.properties]` and `[notes.status]`, or "" when there is
        nothing to map."""
        blocks: list[str] = []
        if self.properties:
            lines = [
                "[notes.properties]",
                "# Found by `vaultfollow init`: the properties this vault keeps each fact",
                "# in, where they are not named as vaultfollow names them.",
            ]
            for mapping in self.properties:
                lines += [f"# {line}" for line in mapping.evidence]
                lines.append(f"{mapping.fact} = {_toml_names(mapping.names)}")
            blocks.append("\n".join(lines))
        mapped = [w for w in self.statuses if w.status]
        if self.statuses:
            lines = [
                "[notes.status]" if mapped else "# [notes.status]",
                "# Found by `vaultfollow init`: how this vault's status words are read",
                '# ("application": applied, no interview yet); change a line if your',
                "# vault means otherwise. vaultfollow's own statuses (waiting, offer,",
                "# rejected...) need no line.",
            ]
            for word in self.statuses:
                seen = f"`{word.key}: {word.word}` in {_notes(word.notes)}"
                if word.status:
                    lines.append(f"{toml_string(word.word)} = {toml_string(word.status)}  # {seen}")
                else:
                    guess = _SUGGESTED.get(status_word(word.word), "waiting")
                    lines.append(
                        f"# {toml_string(word.word)} = {toml_string(guess)}  # {seen}; "
                        "vaultfollow does not know this word: uncomment the line with the "
                        "status you mean"
                    )
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n" if blocks else ""

    # --- as sentences ---------------------------------------------------------

    def summary(self) -> list[str]:
        """What init found, in a few lines for the terminal."""
        if not self.found_any:
            if not self.elsewhere:
                return [
                    f"Found no application or interview notes among {_notes(self.notes_read)}; "
                    "[notes] keeps the defaults: a note is read when it says `type: interview`, "
                    "is tagged #interview, or lies in a folder listed in [notes] folders."
                ]
            return [
                *self._elsewhere(
                    "but no folder that holds mostly them and no tag to find "
                    "them by; [notes] keeps the defaults"
                ),
                *([self.tag_kept] if self.tag_kept else []),
            ]
        parts: list[str] = []
        groups: list[str] = []
        for group in self.groups:
            found = []
            if group.applications:
                found.append(_notes(group.applications, "application note"))
            if group.meetings:
                found.append(_notes(group.meetings, "note") + " with a date and people")
            rounds = f", {group.with_rounds} with interview rounds" if group.with_rounds else ""
            groups.append(f"{' and '.join(found)} in {group.label}{rounds}")
        parts.append("Found " + " and ".join(groups))
        mapped = [w for w in self.statuses if w.status]
        if mapped:
            parts.append(
                "mapped " + ", ".join(f"`{w.key}: {w.word}` -> {w.status}" for w in mapped)
            )
        for mapping in self.properties:
            names = " or ".join(f"`{n}`" for n in mapping.names)
            if mapping.fact == "date":
                parts.append(f"notes with {names} read as interviews")
            else:
                parts.append(f"{names} read as the {mapping.fact}")
        lines = ["; ".join(parts) + "."]
        unmapped = [w for w in self.statuses if not w.status]
        if unmapped:
            words = ", ".join(f"`{w.word}` ({_notes(w.notes)})" for w in unmapped)
            lines.append(
                f"Not mapped: the status {words}; to have it read, uncomment its line "
                "under [notes.status] in vaultfollow.toml (or write another status there)."
            )
        lines += self._elsewhere("outside these settings")
        if self.tag_kept:
            lines.append(self.tag_kept)
        return lines


def _look(count: int) -> str:
    if count == 1:
        return "1 note that looks like an application"
    return f"{count} notes that look like applications"


def _some(paths: Sequence[str]) -> str:
    return ", ".join(paths[:3]) + (", ..." if len(paths) > 3 else "")


def _notes(count: int, noun: str = "note") -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def toml_string(text: str) -> str:
    """`text` as a TOML basic string."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _toml_names(names: Sequence[str]) -> str:
    if len(names) == 1:
        return toml_string(names[0])
    return "[" + ", ".join(toml_string(n) for n in names) + "]"


# --- inference --------------------------------------------------------------


def infer_settings(notes: Iterable[tuple[str, str]], skip: Iterable[str] = ()) -> Adoption:
    """The `[notes]` settings the notes (vault-relative path, text) show.
    Notes under the `skip` folders (templates, vaultfollow's drafts) are not
    looked at."""
    skipped = [s.strip("/").casefold() + "/" for s in skip if s.strip("/")]
    read = [
        read_note(path, text)
        for path, text in notes
        if not any(path.casefold().startswith(s) for s in skipped)
    ]
    applications = {n.path for n in read if _is_application(n)}
    meetings = {n.path for n in read if n.path not in applications and _is_meeting(n)}
    meetings &= _about_jobs(read, applications, meetings)
    job = applications | meetings
    folders, evidence = _folders(read, job, applications)
    covered = {n.path for n in read if n.path in job and _under(n.path, folders)}
    tag, tag_evidence, tag_kept = _tag(read, job, covered)
    tagged = {n.path for n in read if n.path in job and tag and tag in n.tags}
    groups, members = _groups(read, folders, tag, applications, meetings, covered, tagged)
    adopted = [n for n in read if n.path in covered | tagged]
    properties = _properties(adopted, members)
    statuses = _statuses(adopted, properties)
    uncovered = job - covered - tagged
    marked = sum(1 for n in read if n.path in uncovered and n.marked)
    return Adoption(
        notes_read=len(read),
        folders=folders,
        folder_evidence=evidence,
        tag=tag,
        tag_evidence=tag_evidence,
        groups=groups,
        properties=properties,
        statuses=statuses,
        elsewhere=tuple(sorted(uncovered)),
        marked=marked,
        tag_kept=tag_kept,
    )


def _about_jobs(read: Sequence[_Note], applications: set[str], meetings: set[str]) -> set[str]:
    """The meetings about a job: linked to an application, to a note an
    application links to (its company), or to a note linking there (a person
    at that company); or saying `job`, `interview`, `recruiter`... in their
    path, tags or property names. Work meetings with attendees are not."""
    apps = [n for n in read if n.path in applications]
    near = {n.name for n in apps} | {link for n in apps for link in n.links}
    people = {n.name for n in read if n.links & near}
    context = near | people
    about: set[str] = set()
    for note in read:
        if note.path not in meetings:
            continue
        words = " ".join([note.path, *note.tags, *note.props])
        if note.links & context or _JOB_WORDS.search(words):
            about.add(note.path)
    return about


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def _under(path: str, folders: Iterable[str]) -> bool:
    return any(path.startswith(folder + "/") for folder in folders)


def _folders(
    read: Sequence[_Note], job: set[str], applications: set[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The folders most of whose notes are applications or meetings: for
    each such note, the highest folder above it that qualifies, then down
    into the subfolders that hold its job notes (see `narrowest`)."""
    total: Counter[str] = Counter()
    jobs: Counter[str] = Counter()
    for note in read:
        for folder in _ancestors(note.path):
            total[folder] += 1
            if note.path in job:
                jobs[folder] += 1

    def qualifies(folder: str) -> bool:
        return jobs[folder] >= MIN_NOTES and jobs[folder] >= FOLDER_SHARE * total[folder]

    direct: Counter[str] = Counter(n.path.rpartition("/")[0] for n in read if n.path in job)

    def narrowest(folder: str) -> list[str]:
        """`folder`, or the subfolders holding all its job notes when that
        leaves out notes that are not (a People folder beside Applications)."""
        depth = folder.count("/") + 1
        children = [
            child
            for child in jobs
            if child.startswith(folder + "/") and child.count("/") == depth and jobs[child]
        ]
        if (
            children
            and not direct[folder]
            and all(qualifies(child) for child in children)
            and (len(children) == 1 or total[folder] > jobs[folder])
        ):
            return [found for child in children for found in narrowest(child)]
        return [folder]

    tops = {
        next((f for f in _ancestors(note.path) if qualifies(f)), None)
        for note in read
        if note.path in job
    }
    chosen = {found for top in tops if top is not None for found in narrowest(top)}
    folders = tuple(sorted(chosen))
    evidence = []
    for folder in folders:
        inside = [n for n in read if n.path.startswith(folder + "/")]
        apps = sum(1 for n in inside if n.path in applications)
        others = sum(1 for n in inside if n.path in job) - apps
        if apps:
            evidence.append(
                f"{apps} of {len(inside)} notes in {folder} are applications (a company with "
                "a role or a status)"
            )
        if others:
            evidence.append(
                f"{others} of {len(inside)} notes in {folder} hold a date and people, and "
                "are about the applications (linked to them, or saying so)"
            )
    return folders, tuple(evidence)


def _tag(read: Sequence[_Note], job: set[str], covered: set[str]) -> tuple[str | None, str, str]:
    """A tag most job notes carry and few other notes do, when the folders
    do not already cover most job notes; (tag, evidence, why none)."""
    if not job or len(covered) >= TAG_SHARE * len(job):
        return None, "", ""
    with_tag: Counter[str] = Counter()
    job_with_tag: Counter[str] = Counter()
    for note in read:
        for tag in note.tags:
            with_tag[tag] += 1
            if note.path in job:
                job_with_tag[tag] += 1
    candidates = sorted(
        (
            (-count, tag)
            for tag, count in job_with_tag.items()
            if count >= MIN_NOTES
            and count >= TAG_SHARE * len(job)
            and count >= TAG_SHARE * with_tag[tag]
            and tag != "interview"
        ),
    )
    if not candidates:
        return None, "", ""
    count, tag = -candidates[0][0], candidates[0][1]
    if any(t == "interview" or t.startswith("interview/") for n in read for t in n.tags):
        return (
            None,
            "",
            f"Most applications are tagged #{tag}, but notes tagged #interview are read as "
            f'interviews already; to read #{tag} instead, write tag = "{tag}" under [notes].',
        )
    evidence = (
        f"{count} of {len(job)} application and interview notes are tagged #{tag} "
        f"({with_tag[tag]} notes in all)"
    )
    return tag, evidence, ""


def _groups(
    read: Sequence[_Note],
    folders: Sequence[str],
    tag: str | None,
    applications: set[str],
    meetings: set[str],
    covered: set[str],
    tagged: set[str],
) -> tuple[tuple[Group, ...], dict[str, list[_Note]]]:
    """Each adopted folder (and the tagged notes outside them) with its
    counts, and its job notes by label."""
    members: dict[str, list[_Note]] = defaultdict(list)
    totals: Counter[str] = Counter()
    for note in read:
        folder = next((f for f in folders if note.path.startswith(f + "/")), None)
        label = folder if folder else (f"notes tagged #{tag}" if note.path in tagged else None)
        if label is None:
            continue
        totals[label] += 1
        if note.path in covered | tagged:
            members[label].append(note)
    groups = []
    for label in [*folders, f"notes tagged #{tag}"]:
        notes = members.get(label, [])
        if not notes:
            continue
        apps = [n for n in notes if n.path in applications]
        groups.append(
            Group(
                label=label,
                applications=len(apps),
                with_rounds=sum(1 for n in apps if n.has_round),
                meetings=sum(1 for n in notes if n.path in meetings),
                total=totals[label],
            )
        )
    return tuple(groups), dict(members)


def _spelling(spellings: Counter[str]) -> str:
    """The most used spelling; on a tie the lower-case one, then the first."""
    return min(spellings, key=lambda s: (-spellings[s], s != s.lower(), s))


def _properties(
    adopted: Sequence[_Note], members: Mapping[str, list[_Note]]
) -> tuple[PropertyNames, ...]:
    """For each fact, the vault's own property names for it (not
    vaultfollow's own), when they hold the right kind of value in most notes
    that have them and more notes use them than vaultfollow's names."""
    found: list[PropertyNames] = []
    for fact in _FACTS:
        having: Counter[str] = Counter()  # notes with the property, any value
        fitting: Counter[str] = Counter()  # ... with a value of the right kind
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        built_in = 0
        for note in adopted:
            if any(
                _built_in(fact, k) and not _is_empty(v) and _fits(fact, v)
                for k, (_, v) in note.props.items()
            ):
                built_in += 1
            for key, (spelled, value) in note.props.items():
                if _built_in(fact, key) or not _may_hold(fact, key) or _is_empty(value):
                    continue
                having[key] += 1
                spellings[key][spelled] += 1
                if _fits(fact, value) and (fact != "status" or _known_word(str(value))):
                    fitting[key] += 1
        share = STATUS_WORD_SHARE if fact == "status" else KIND_SHARE
        keys = sorted(
            (
                key
                for key in having
                if fitting[key] >= MIN_NOTES
                and fitting[key] >= share * having[key]
                and fitting[key] > built_in
            ),
            key=lambda k: (-fitting[k], k),
        )
        if not keys:
            continue
        names = tuple(_spelling(spellings[k]) for k in keys)
        evidence = tuple(
            line
            for key, name in zip(keys, names, strict=True)
            for line in _evidence(fact, key, name, members)
        )
        found.append(PropertyNames(fact, names, evidence))
    return tuple(found)


def _evidence(fact: str, key: str, name: str, members: Mapping[str, list[_Note]]) -> list[str]:
    lines = []
    for label, notes in members.items():
        values = [
            n.props[key][1] for n in notes if key in n.props and not _is_empty(n.props[key][1])
        ]
        values = [v for v in values if _fits(fact, v)]
        if not values:
            continue
        if fact == "status":
            words = sorted({str(v).strip() for v in values}, key=str.casefold)
            kind = ", ".join(words[:5]) + (", ..." if len(words) > 5 else "")
        else:
            kind = _KIND[fact]
        lines.append(f"{len(values)} of {len(notes)} notes in {label} have `{name}` ({kind})")
    return lines


def _statuses(
    adopted: Sequence[_Note], properties: Sequence[PropertyNames]
) -> tuple[StatusWord, ...]:
    """The words of the status property (the mapped one, else vaultfollow's
    own `status`/`outcome`) other than vaultfollow's statuses: each with the
    meaning vaultfollow gives it (`properties.TRACKER_WORDS`), or None for a
    word it does not know, which is offered as a commented line, not
    guessed."""
    mapped = next((m.names for m in properties if m.fact == "status"), ())
    wanted = [normalise_key(n) for n in mapped]
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    keys: dict[str, Counter[str]] = defaultdict(Counter)
    for note in adopted:
        item = next((note.props[k] for k in wanted if k in note.props), None)
        if item is None:
            item = next((note.props[k] for k in note.props if _built_in("status", k)), None)
        if item is None:
            continue
        spelled_key, value = item
        word = _status_word(value)
        if word is None:
            continue
        folded = status_word(word)
        counts[folded] += 1
        spellings[folded][word] += 1
        keys[folded][spelled_key] += 1
    words = []
    for folded, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if folded in STATUSES:
            continue
        words.append(
            StatusWord(
                word=_spelling(spellings[folded]),
                status=TRACKER_WORDS.get(folded),
                key=_spelling(keys[folded]),
                notes=count,
            )
        )
    return tuple(words)
