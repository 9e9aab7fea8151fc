"""The vaults people already keep (issue 16, "Proof"): one small vault per
layout under tests/layouts/<layout>/vault, the `vaultfollow.toml` its owner
would write beside it, and `expected.toml`, what a demanding user expects
`vaultfollow sync` to find and draft, with that config and without any.

The expectations were read from the notes by hand, never from a run. Each
layout is synced once per mode through the real CLI, at a fixed `--now`, and
what it wrote is read back as a user would see it: the drafts' front matter,
the dashboard (its timeline, its problems, its count of applications) and
the calendar. An expectation today's code does not meet yet is marked in
PENDING with the point of issue 16 that makes it hold; the mark is strict, so
it fails the moment it passes and the mark must go.

What the dashboard cannot show is not checked here: an interview with no
follow-up (an offer, an outcome, a round too old) is on no timeline, and is
counted only by "N applications, M with interviews".
"""

from __future__ import annotations

import re
import shutil
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from vaultfollow.app.starter import fill_tokens
from vaultfollow.cli import main
from vaultfollow.core.properties import FACTS, normalise_key

LAYOUTS = Path(__file__).parent / "layouts"
TEMPLATE = Path(__file__).parent.parent / "vault-template"
NAMES = sorted(p.name for p in LAYOUTS.iterdir() if (p / "expected.toml").is_file())
MODES = ("with_config", "without_config")
ZONE = "Europe/Berlin"

# Why an expectation does not hold yet, by the points of issue 16 it needs.
STATUS = "point 2: `[notes.status]` is not a setting yet, the config is refused"
P2 = "point 2: the trackers' status words built in"
P3 = "point 3: inline fields"
P4 = "point 4: body tags"
P5 = "point 5: facts one link away, people named by their note's `name`"
P6 = "point 6: rounds written as dated headings, 'who did you meet?'"
P7 = "point 7: applications counted, not problems; a note without an interview's facts is none"
P8 = "point 8: a `date` that is `date_applied` is no interview day"
P10 = "point 10: the decision date in the note's words"
P12 = "point 12: `explain`, and `-v` saying why a note is skipped"
READ = "interviews followups calendar"
COUNT = "applications"
REPORT = "problems exit_code"
OTHERS = "not_interviews"

# (layout, mode, checks, the points they wait for)
_WAITING: list[tuple[str, str, str, list[str]]] = []

# (layout, mode, check) -> why it does not hold yet. The mark is strict: when
# the points land it fails, and its line above must go.
PENDING: dict[tuple[str, str, str], str] = {
    (layout, mode, check): "issue 16 " + "; ".join(points)
    for layout, mode, checks, points in _WAITING
    for check in checks.split()
}


# --- running a layout ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    root: Path
    code: int
    stdout: str
    stderr: str
    expected: dict[str, Any]  # this mode's expectations
    layout: dict[str, Any]  # the whole expected.toml


_RUNS: dict[tuple[str, str], Run] = {}


def invoke(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"TZ": ZONE, "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


def run_layout(name: str, mode: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Sync a fresh copy of the layout's vault once per mode (`-v`, at its `now`)."""
    key = (name, mode)
    if key not in _RUNS:
        layout = tomllib.loads((LAYOUTS / name / "expected.toml").read_text(encoding="utf-8"))
        root = tmp_path_factory.mktemp(f"{name}-{mode}") / name
        shutil.copytree(LAYOUTS / name / "vault", root)
        if mode == "with_config":
            shutil.copy(LAYOUTS / name / "vaultfollow.toml", root / "vaultfollow.toml")
        code, out, err = invoke(root, "-v", "sync", str(root), "--now", layout["now"])
        _RUNS[key] = Run(root, code, out, err, layout[mode], layout)
    return _RUNS[key]


@pytest.fixture
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    name, mode = request.param
    return run_layout(name, mode, tmp_path_factory)


def cases(check: str, needs: str | None = None) -> Iterator[Any]:
    """(layout, mode) for one check, marked xfail where PENDING says so; with
    `needs`, only the modes whose expectations hold that key."""
    for name in NAMES:
        layout = tomllib.loads((LAYOUTS / name / "expected.toml").read_text(encoding="utf-8"))
        for mode in MODES:
            if needs and needs not in layout[mode]:
                continue
            reason = PENDING.get((name, mode, check))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param((name, mode), id=f"{name}-{mode}", marks=marks)


def parametrize(check: str, needs: str | None = None) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("run", list(cases(check, needs)), indirect=True)


# --- reading what it wrote, as a user would -------------------------------------

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_ESCAPE = re.compile(r"\\(.)")
_LINK = re.compile(r"\[\[([^\]|]+)(?:\\?\|[^\]]*)?\]\]|\[[^\]]*\]\(([^)]+)\)")
_ROUND = re.compile(
    r"^- (?P<when>\w{3} \d{1,2} \w{3}(?: \d{4})? \d{2}:\d{2}) · Interview"
    r"(?: \(round .*?\))?(?: with (?P<names>.*?))? · (?P<link>.*)$"
)
_COUNT = re.compile(r"(\d+) applications?\b\D{0,40}?(\d+) with (?:an )?interviews?")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def link_target(text: str) -> str:
    """The vault path of the first link in `text` (`[[a/b|x]]` or `[x](a%20b.md)`)."""
    match = _LINK.search(text)
    assert match, f"no link in {text!r}"
    if match.group(1) is not None:
        return unescape(match.group(1)) + ".md"
    return unquote(match.group(2))


def drafts(root: Path) -> list[dict[str, Any]]:
    folder = root / "Follow-ups"
    found = []
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        if path.name == "Follow-ups.md":
            continue
        match = _FRONT.match(path.read_text(encoding="utf-8"))
        assert match, path
        found.append(yaml.safe_load(match.group(1)))
    return found


def draft_key(front: dict[str, Any]) -> tuple[str, str, str, str]:
    """(kind, recipient's name, do-day, source note) of one draft."""
    to = str(front["to"]).split(" <", 1)[0]
    source = link_target(str(front["source"]))
    return (front["followup"], to, str(front["do"])[:10], source)


def dashboard(root: Path) -> str:
    path = root / "Follow-ups" / "Follow-ups.md"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def written_dashboard(run: Run) -> str:
    """The dashboard, which a pass that took the config always writes."""
    text = dashboard(run.root)
    assert text, f"no dashboard (exit {run.code}): {run.stderr}"
    return text


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    if f"## {title}" not in lines:
        return []
    start = lines.index(f"## {title}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def timeline_rounds(text: str) -> set[tuple[str, str, str, tuple[str, ...]]]:
    """(note, application title, when, names) of each round on the timeline."""
    rounds = set()
    title = ""
    for line in section(text, "Timeline"):
        if line.startswith("### "):
            title = unescape(line[4:])
            continue
        match = _ROUND.match(line)
        if match:
            names = match.group("names")
            people = tuple(unescape(n) for n in names.split(", ")) if names else ()
            rounds.add((link_target(match.group("link")), title, match.group("when"), people))
    return rounds


def problems(text: str) -> list[tuple[str, str]]:
    """(file, message) of each problem the dashboard lists."""
    found = []
    for line in section(text, "Problems"):
        if line.startswith("- "):
            message, _, link = line[2:].rpartition(" · ")
            found.append((link_target(link), unescape(message)))
    return found


def application_count(text: str) -> tuple[int, int]:
    match = _COUNT.search(text)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def shown(when: str) -> str:
    """`2026-11-24T14:00` as the dashboard writes it (in 2026): `Tue 24 Nov 14:00`."""
    moment = datetime.fromisoformat(when)
    day = f"{_WEEKDAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]}"
    return f"{day} {moment:%H:%M}"


def expected_followups(run: Run) -> Counter[tuple[str, str, str, str]]:
    return Counter((f["kind"], f["to"], f["do"], f["note"]) for f in run.expected["followups"])


# --- the golden checks ------------------------------------------------------------


@parametrize("interviews")
def test_the_interviews_on_the_timeline_are_the_expected_ones(run: Run) -> None:
    """Each round of each interview that has a follow-up: its note, company and
    role (the timeline's heading), its day and time and its interviewers."""
    noted = {f["note"] for f in run.expected["followups"]}
    # A thank-you too late to draft is still on the timeline, as not drafted.
    noted |= {f["note"] for f in run.expected.get("too_late", [])}
    want = {
        (i["note"], f"{i['company']} – {i['role']}", shown(r["start"]), tuple(r["interviewers"]))
        for i in run.expected["interviews"]
        if i["note"] in noted
        for r in i["rounds"]
    }
    assert timeline_rounds(written_dashboard(run)) == want, run.stderr


@parametrize("followups")
def test_the_drafts_are_the_expected_follow_ups(run: Run) -> None:
    """Kind, recipient, do-day and source of every draft, and the company and
    role in its front matter are the interview's."""
    written = drafts(run.root)
    assert Counter(draft_key(d) for d in written) == expected_followups(run), run.stderr
    facts = {i["note"]: (i["company"], i["role"]) for i in run.expected["interviews"]}
    for front in written:
        note = draft_key(front)[3]
        assert (front["company"], front["role"]) == facts[note], front


@parametrize("calendar")
def test_the_calendar_holds_one_event_per_round_and_kind(run: Run) -> None:
    """Each pending follow-up is on its do-day, under its kind, naming its
    recipient; nothing else is on the calendar."""
    path = run.root / "Follow-ups" / "followups.ics"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    events = IcsCalendarStream.calendar_from_ics(text).events if text else []
    on_calendar = {(event.categories[0], event.dtstart.date().isoformat()) for event in events}
    want = {(kind, do) for kind, _to, do, _note in expected_followups(run)}
    assert on_calendar == want, run.stderr
    for kind, to, do, _note in expected_followups(run):
        summaries = [
            e.summary
            for e in events
            if e.categories[0] == kind and e.dtstart.date() == date.fromisoformat(do)
        ]
        assert any(to in (s or "") for s in summaries), (kind, to, do, summaries)


@parametrize("applications")
def test_the_dashboard_counts_the_applications(run: Run) -> None:
    want = (run.expected["applications"], run.expected["with_interviews"])
    assert application_count(written_dashboard(run)) == want


@parametrize("problems")
def test_the_problems_are_the_expected_ones(run: Run) -> None:
    """Every expected problem is listed on its file with the words it must
    say (and never the words it must not); no other problem is listed."""
    listed = problems(written_dashboard(run))
    unmatched = list(listed)
    for want in run.expected["problems"]:
        match = next(
            (
                p
                for p in unmatched
                if p[0] == want["file"]
                and want["message"] in p[1]
                and not any(bad.casefold() in p[1].casefold() for bad in want.get("not", []))
            ),
            None,
        )
        assert match, (want, listed)
        unmatched.remove(match)
    assert not unmatched, unmatched


@parametrize("exit_code")
def test_sync_exits_1_only_for_problems(run: Run) -> None:
    assert run.code == (1 if run.expected["problems"] else 0), run.stderr


@parametrize("not_interviews")
def test_notes_that_are_not_interviews_yield_nothing(run: Run) -> None:
    """Daily notes, study notes tagged Interview, checklists, templates: no
    draft, no round, no problem."""
    others = set(run.layout["not_interviews"])
    assert not [d for d in drafts(run.root) if draft_key(d)[3] in others]
    text = written_dashboard(run)
    assert not [r for r in timeline_rounds(text) if r[0] in others]
    assert not [p for p in problems(text) if p[0] in others]


@parametrize("untouched")
def test_every_user_file_is_byte_identical_after_sync(run: Run) -> None:
    name = run.root.name
    source = LAYOUTS / name / "vault"
    for path in sorted(source.rglob("*")):
        if path.is_file():
            rel = path.relative_to(source)
            assert (run.root / rel).read_bytes() == path.read_bytes(), rel
    config = run.root / "vaultfollow.toml"
    if config.exists():
        assert config.read_bytes() == (LAYOUTS / name / "vaultfollow.toml").read_bytes()


@parametrize("verbose", needs="verbose_skipped")
def test_sync_v_says_why_each_note_that_mentions_an_interview_is_skipped(run: Run) -> None:
    for rel in run.expected["verbose_skipped"]:
        lines = [line for line in run.stderr.splitlines() if rel in line]
        assert lines, (rel, run.stderr)
        assert any(line.strip() != rel and line.strip() != f"{rel}:" for line in lines), lines


@parametrize("explain", needs="explain")
def test_explain_says_how_a_note_was_read(run: Run) -> None:
    for item in run.expected["explain"]:
        note = str(run.root / item["note"])
        code, out, err = invoke(run.root, "--vault", str(run.root), "explain", note)
        assert code == 0, err
        for words in item["says"]:
            assert words in out, (words, out)


# --- a map a vault does not use changes nothing -------------------------------------

TEMPLATE_NOW = "2026-11-12T10:00"


def template_words() -> tuple[set[str], set[str]]:
    """Every property name (front matter, and `Key::` in bodies) and every
    status value the starter vault's notes use, normalised."""
    keys: set[str] = set()
    statuses: set[str] = set()
    for path in TEMPLATE.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        match = _FRONT.match(text)
        body = text[match.end() :] if match else text
        if match:
            try:
                front = yaml.safe_load(fill_tokens(match.group(1), date(2026, 11, 12), ZONE))
            except yaml.YAMLError:
                front = None
            front = front if isinstance(front, dict) else {}
            keys.update(normalise_key(str(k)) for k in front)
            statuses.update(str(v).casefold() for k, v in front.items() if k == "status")
        keys.update(normalise_key(k) for k in re.findall(r"([\w -]+)::", body))
    return keys, statuses


USED_KEYS, USED_STATUSES = template_words()
STATUSES = (
    "scheduled",
    "waiting",
    "heard-back",
    "offer",
    "accepted",
    "rejected",
    "withdrawn",
    "application",
)
_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzAEIOUXZ _-", min_size=2, max_size=14).filter(
    lambda s: normalise_key(s) != "" and normalise_key(s) not in USED_KEYS
)
_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz -", min_size=2, max_size=12).filter(
    lambda s: s.strip() != "" and s.strip().casefold() not in USED_STATUSES
)
_property_maps = st.dictionaries(
    st.sampled_from([f for f in FACTS if f not in ("interviews", "vaultfollow")]),
    st.one_of(_names, st.lists(_names, min_size=1, max_size=3)),
    min_size=1,
    max_size=5,
)
_status_maps = st.dictionaries(_words, st.sampled_from(STATUSES), min_size=1, max_size=4)


def template_vault(root: Path) -> None:
    for path in sorted(TEMPLATE.rglob("*")):
        rel = fill_tokens(path.relative_to(TEMPLATE).as_posix(), date(2026, 11, 12), ZONE)
        target = root / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            text = fill_tokens(path.read_text(encoding="utf-8"), date(2026, 11, 12), ZONE)
            target.write_text(text, encoding="utf-8")


def outputs(root: Path) -> dict[str, bytes]:
    folder = root / "Follow-ups"
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "vaultfollow-state.json"
    }


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_map(table: str, items: dict[str, Any]) -> str:
    lines = [f"[{table}]"]
    for key, value in items.items():
        shown_value = (
            "[" + ", ".join(toml_string(v) for v in value) + "]"
            if isinstance(value, list)
            else toml_string(value)
        )
        lines.append(f"{toml_string(key)} = {shown_value}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True, repr=False)
class Baseline:
    """The starter vault, and what a sync of it yields with no map."""

    source: Path
    outputs: dict[str, bytes]

    def __repr__(self) -> str:
        return f"Baseline({self.source})"


@pytest.fixture(scope="module")
def template_baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    source = tmp_path_factory.mktemp("template") / "vault"
    template_vault(source)
    # Same folder name: the calendar's links name the vault by its folder.
    root = tmp_path_factory.mktemp("baseline") / "vault"
    shutil.copytree(source, root)
    code, _, err = invoke(root, "sync", str(root), "--now", TEMPLATE_NOW)
    assert code == 0, err
    return Baseline(source, outputs(root))


def sync_with_maps(baseline: Baseline, tmp: Path, maps: str) -> tuple[int, str, dict[str, bytes]]:
    root = tmp / "vault"
    shutil.copytree(baseline.source, root)
    config = root / "vaultfollow.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + maps, encoding="utf-8")
    code, _, err = invoke(root, "sync", str(root), "--now", TEMPLATE_NOW)
    return code, err, outputs(root)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(properties=_property_maps)
def test_an_unused_property_map_never_changes_what_the_starter_vault_yields(
    properties: dict[str, Any],
    template_baseline: Baseline,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp("map")
    maps = toml_map("notes.properties", properties)
    code, err, produced = sync_with_maps(template_baseline, tmp, maps)
    assert code == 0, err
    assert produced == template_baseline.outputs


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
# No shrinking: a failing map fails every example the same way.
@settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(properties=_property_maps, statuses=_status_maps)
def test_an_unused_status_map_never_changes_what_the_starter_vault_yields(
    properties: dict[str, Any],
    statuses: dict[str, str],
    template_baseline: Baseline,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp("map")
    maps = toml_map("notes.properties", properties) + toml_map("notes.status", statuses)
    code, err, produced = sync_with_maps(template_baseline, tmp, maps)
    assert code == 0, err
    assert produced == template_baseline.outputs
