"""Property tests: arbitrary bytes and front matter never crash a parser or a
sync, give the same output twice, and never write outside the owned folders.

Brief here (the whole file runs in seconds); `python benchmarks/fuzz.py
--minutes N` runs the same properties at length.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import at, berlin_settings
from vaultfollow.app.engine import sync
from vaultfollow.core.draftfile import is_cut_off, is_edited, read_draft
from vaultfollow.core.names import safe_name
from vaultfollow.core.notes import parse_note

SETTINGS = berlin_settings('[notes]\nfolders = ["Interviews"]\n')
NOW = at("2026-11-12 10:00")
KEYS = [
    "type", "tags", "company", "role", "date", "time", "end", "duration", "interviewers",
    "contact", "status", "status_date", "responded", "decision_by", "tone", "address",
    "handwritten", "check_in_channel", "phone", "application", "interviews", "round",
    "vaultfollow", "Job-Title", "Interview Date", "with", "outcome",
]  # fmt: skip
CONFIG = '[schedule]\ntimezone = "Europe/Berlin"\n[notes]\nfolders = ["Interviews"]\n'
UNSAFE = set('<>:"/\\|?*#^[]')
# benchmarks/fuzz.py sets this to run every property at length.
LONG_RUN = int(os.environ.get("VAULTFOLLOW_FUZZ_EXAMPLES", "0"))


def budget(examples: int) -> settings:
    """`examples` in the test suite; many more in a long fuzzing run."""
    return settings(
        max_examples=max(examples, LONG_RUN * examples // 150),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(
        ["interview", "2026-11-12", "2026-11-12T15:30", "14:00", "12:30", "no", "on", "010",
         "[[Jane Doe]]", "Jane <jane@x.com>", "2023-02-30", "45m", "waiting", "rejected",
         "{{date}}", "<% tp.date.now() %>", "Stage 1: screen", "\t", "---", "\r\n"]
    ),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["name", "email", "date", "time", "title"]), inner, max_size=4
        )
    ),
    max_leaves=12,
)
front_matters = st.dictionaries(st.sampled_from(KEYS), values, max_size=10)
line_soup = st.lists(
    st.tuples(st.sampled_from([*KEYS, "- ", "\t- ", "  ", ""]), st.text(max_size=30)).map(
        lambda kv: f"{kv[0]}: {kv[1]}" if kv[0].strip() not in ("-", "") else kv[0] + kv[1]
    ),
    max_size=10,
).map(lambda lines: "---\n" + "\n".join(lines) + "\n---\n## Discussed\n- a point\n")


def note_text(data: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n## Discussed\n- x\n"


def parse_twice(path: str, text: str) -> None:
    first = parse_note(path, text, SETTINGS)
    second = parse_note(path, text, SETTINGS)
    assert first == second
    for problem in first.problems:
        assert problem.path == path and problem.message and "\n" not in problem.message


@budget(150)
@given(front_matters, st.sampled_from(["Interviews/x.md", "Notes/2026-11-12 x.md"]))
def test_any_front_matter_parses_or_reports(data: dict[str, Any], path: str) -> None:
    parse_twice(path, note_text({"type": "interview", **data}))


@budget(150)
@given(line_soup)
def test_any_flat_key_value_soup_parses_or_reports(text: str) -> None:
    parse_twice("Interviews/soup.md", text)


@budget(150)
@given(st.binary(max_size=600))
def test_any_bytes_as_a_note(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    parse_twice("Interviews/bytes.md", text)
    parse_twice("Interviews/bytes.md", "---\ntype: interview\n" + text)


@budget(150)
@given(st.text(max_size=300))
def test_any_text_as_a_draft(text: str) -> None:
    record, problems = read_draft("Follow-ups/A/x.md", text)
    assert read_draft("Follow-ups/A/x.md", text) == (record, problems)
    if is_cut_off(text):
        assert not is_edited(text) and record is not None and not record.edited
    assert isinstance(is_edited(text), bool)


@budget(200)
@given(st.text(max_size=300))
def test_any_text_makes_a_safe_name(text: str) -> None:
    name = safe_name(text)
    assert name and name not in (".", "..") and name == name.strip(" .")
    assert not UNSAFE & set(name) and all(ord(c) >= 32 for c in name)
    assert len(name.encode("utf-8")) <= 125
    assert safe_name(name) == name


def run_vault(files: dict[str, bytes]) -> dict[str, str]:
    """Sync a fresh vault holding `files`; every file's hash afterwards. Checks
    that notes are untouched and every new file is in an owned folder."""
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "vault"
        root.mkdir()
        (root / "vaultfollow.toml").write_text(CONFIG, encoding="utf-8")
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        sync(root, NOW)
        after = {
            p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and "/cache-" not in p.as_posix()
        }
        for rel, data in files.items():
            assert after[rel] == hashlib.sha256(data).hexdigest(), rel
        new = set(after) - set(files) - {"vaultfollow.toml"}
        assert all(rel.startswith(("Follow-ups/", ".vaultfollow/")) for rel in new), new
        return after


vault_files = st.dictionaries(
    st.sampled_from(["Interviews/a.md", "Interviews/b.md", "Notes/c.md", "Notes/2026-11-12 d.md"]),
    st.one_of(
        st.binary(max_size=300),
        front_matters.map(lambda d: note_text({"type": "interview", **d}).encode("utf-8")),
        line_soup.map(lambda t: t.encode("utf-8")),
    ),
    min_size=1,
    max_size=3,
)


@budget(20)
@given(vault_files)
def test_any_vault_syncs_deterministically_inside_its_folders(files: dict[str, bytes]) -> None:
    assert run_vault(files) == run_vault(files)
