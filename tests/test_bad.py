"""The bad-input corpus (tests/bad/): every fixture through a real sync.

Each fixture's expected outcome is in tests/bad/cases.toml. Inputs that
cannot live in a repository (file names Windows refuses, 50 MB notes,
symbolic links, unreadable files) are made here, in the tests below.
docs/reliability.md lists every case with the test that proves it.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import at
from vaultfollow.app.engine import sync
from vaultfollow.app.outputs import PassReport
from vaultfollow.cli import main
from vaultfollow.store import vault as vault_module
from vaultfollow.store.vault import MAX_NOTE_BYTES, Vault

BAD = Path(__file__).parent / "bad"
CASES: dict[str, dict[str, Any]] = tomllib.loads((BAD / "cases.toml").read_text("utf-8"))
CONFIG = '[schedule]\ntimezone = "Europe/Berlin"\n[notes]\nfolders = ["Interviews"]\n'
NOW = at("2026-11-12 08:00")
GOOD = (
    "---\ntype: interview\ncompany: Good Co\nrole: Engineer\ndate: 2026-11-12T15:30\n"
    "interviewers: Jane Doe <jane@example.com>\n---\n"
)
# Characters Windows or Obsidian links refuse in a name; none may reach a written path.
UNSAFE = set('<>:"\\|?*#^[]')


def make(root: Path, files: dict[str, bytes | str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "vaultfollow.toml").write_text(CONFIG, encoding="utf-8")
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return root


def fixture_bytes(name: str) -> bytes:
    case = CASES[name]
    return (BAD / case.get("fixture", f"{name}.md")).read_bytes()


def problems_of(report: PassReport, rel: str) -> list[str]:
    return [f"{p.line}|{p.message}" for p in report.problems if p.path == rel]


def check_outcome(root: Path, report: PassReport, rel: str, case: dict[str, Any]) -> None:
    notes = [n for n in report.plan.notes if n.path == rel]
    found = problems_of(report, rel)
    if case["expect"] == "quiet":
        assert notes == [] and found == [], found
        return
    if "problem" in case:
        line = case.get("line")
        assert any(
            case["problem"] in p and (line is None or p.startswith(f"{line}|")) for p in found
        ), f"{case['problem']!r} (line {line}) not in {found}"
        dashboard = (root / "Follow-ups/Follow-ups.md").read_text("utf-8")
        assert rel in dashboard  # the user sees it where they look
    if case["expect"] == "problem":
        assert notes == []
        return
    (note,) = notes
    start, end = note.rounds[0].start, note.rounds[0].end
    expected = {
        "company": note.company,
        "status": note.status,
        "phone": note.phone,
        "start": start.replace(tzinfo=None).isoformat(timespec="minutes"),
        "end": end.replace(tzinfo=None).isoformat(timespec="minutes"),
    }
    for key, value in expected.items():
        if key in case:
            assert value == case[key], key
    drafted = [f for f in report.plan.followups if f.source == rel]
    assert drafted and all((root / f.draft_path).is_file() for f in drafted)


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_case(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    root = make(tmp_path / "vault", {case["path"]: fixture_bytes(name), "Notes/good.md": GOOD})
    report = sync(root, NOW)
    check_outcome(root, report, case["path"], case)
    assert any(n.company == "Good Co" for n in report.plan.notes)


def test_every_fixture_has_a_case() -> None:
    named = {case.get("fixture", f"{name}.md") for name, case in CASES.items()}
    assert named == {p.name for p in BAD.iterdir() if p.name != "cases.toml"}


# --- inputs made here ---------------------------------------------------------------

NAMES = {
    "hash": "Interviews/#154 Making Millions.md",
    "pipe": "Interviews/Blockchain | Gene's Blog.md",
    "question": "Interviews/How Does It Work?.md",
    "star": "Interviews/(*Thread*) Advice.md",
    "colon": "Interviews/RedShift: OLED.md",
    "quote": 'Interviews/The "Quoted" One.md',
    "percent": "Interviews/19%22 Server Rack 50%.md",
    "brackets": "Interviews/a steve jobs christmas [video].md",
    "nfd": unicodedata.normalize("NFD", "Interviews/The story of Alfréd Wetzler.md"),
    "emoji": "📑 Notes/🟦 Reference/interview 🚀.md",
    "spaces": "Interviews/ Microcontroller Exploits .md",
    "long": "Interviews/" + "é" * 98 + ".md",  # 200 bytes
    "case-a": "Interviews/Quarterly Goals.md",
    "case-b": "Interviews/quarterly goals.md",
}


def named_note(company: str) -> str:
    return (
        f"---\ncompany: {company}\nrole: Engineer\ndate: 2026-11-12T15:30\n"
        "interviewers: Jane\n---\n"
    )


def test_awkward_file_names_are_read_and_outputs_get_safe_names(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {rel: named_note(f"Co {key}") for key, rel in NAMES.items()}
    files["📑 Notes/🟦 Reference/interview 🚀.md"] = (
        "---\ntype: interview\ncompany: 'Co emoji'\nrole: R\ndate: 2026-11-12T15:30\n"
        "with: Jo\n---\n"
    )
    root = make(tmp_path / "vault", files)
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    report = sync(root, NOW)
    assert report.problems == []
    assert {n.company for n in report.plan.notes} == {f"Co {key}" for key in NAMES}
    written = [p for p in (root / "Follow-ups").rglob("*") if p.is_file()]
    assert len(written) >= len(NAMES)
    for path in written:
        for part in path.relative_to(root).parts:
            assert not UNSAFE & set(part), part
            assert (len(part.encode("utf-8")) <= 255 and part == part.strip(" .")) or part == ".md"
    assert all(p.read_bytes() == data for p, data in before.items())  # notes untouched
    assert sync(root, NOW).created == []  # stable: a second pass writes nothing new


def test_50_mb_note_is_capped_and_reported(tmp_path: Path) -> None:
    root = make(tmp_path / "vault", {"Notes/good.md": GOOD})
    big = root / "Interviews/huge.md"
    big.parent.mkdir()
    with big.open("wb") as handle:
        handle.write(GOOD.replace("Good Co", "Huge Co").encode())
        handle.truncate(50 * 1024 * 1024)  # sparse: instant, yet 50 MB to vaultfollow
    report = sync(root, NOW)
    assert any(
        f"larger than {MAX_NOTE_BYTES // 2**20} MB" in p
        for p in problems_of(report, "Interviews/huge.md")
    )
    assert {n.company for n in report.plan.notes} == {"Good Co"}


def test_unreadable_note_outside_listed_folders_is_reported_when_it_says_interview(
    tmp_path: Path,
) -> None:
    data = GOOD.replace("Good Co", "Société").encode("latin-1")
    root = make(tmp_path / "vault", {"Notes/good.md": GOOD, "Notes/latin1.md": data})
    report = sync(root, NOW)
    assert any("not UTF-8" in p for p in problems_of(report, "Notes/latin1.md"))


def test_symlink_loops_end_nothing(tmp_path: Path) -> None:
    root = make(tmp_path / "vault", {"Interviews/good.md": GOOD})
    (root / "Interviews/loop").symlink_to(root / "Interviews", target_is_directory=True)
    (root / "self").symlink_to(root, target_is_directory=True)
    (root / "Interviews/a.md").symlink_to(root / "Interviews/b.md")
    (root / "Interviews/b.md").symlink_to(root / "Interviews/a.md")
    (root / "Interviews/dangling.md").symlink_to(root / "nowhere.md")
    report = sync(root, NOW)
    assert [n.path for n in report.plan.notes] == ["Interviews/good.md"]
    assert report.problems == []


def test_unreadable_file_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 does not stop root (these tests may run as root): then the
    same failure is injected where vaultfollow opens and lists files."""
    root = make(
        tmp_path / "vault",
        {
            "Interviews/good.md": GOOD,
            "Interviews/locked.md": GOOD.replace("Good Co", "Locked"),
            "Interviews/Locked folder/inner.md": GOOD.replace("Good Co", "Inner"),
        },
    )
    locked, folder = root / "Interviews/locked.md", root / "Interviews/Locked folder"
    locked.chmod(0)
    folder.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root: inject the PermissionError instead
            real_open, real_scandir = open, os.scandir

            def fake_open(path: Any, *args: Any, **kwargs: Any) -> Any:
                if str(path) == str(locked):
                    raise PermissionError(13, "Permission denied", str(path))
                return real_open(path, *args, **kwargs)

            def fake_scandir(path: Any = ".") -> Any:
                if str(path) == str(folder):
                    raise PermissionError(13, "Permission denied", str(path))
                return real_scandir(path)

            monkeypatch.setattr(vault_module, "open", fake_open, raising=False)
            monkeypatch.setattr(vault_module.os, "scandir", fake_scandir)
        report = sync(root, NOW)
    finally:
        locked.chmod(0o644)
        folder.chmod(0o755)
    assert any(
        "cannot be read (Permission denied)" in p
        for p in problems_of(report, "Interviews/locked.md")
    )
    assert [n.company for n in report.plan.notes] == ["Good Co"]


def test_note_deleted_while_being_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make(tmp_path / "vault", {"Interviews/good.md": GOOD, "Interviews/gone.md": GOOD})
    real_read = Vault.read

    def vanishing_read(self: Vault, rel: str) -> Any:
        if rel == "Interviews/gone.md":
            os.unlink(self.fspath(rel))  # deleted between the scan and the read
        return real_read(self, rel)

    monkeypatch.setattr(Vault, "read", vanishing_read)
    report = sync(root, NOW)
    assert problems_of(report, "Interviews/gone.md") == []
    assert [n.path for n in report.plan.notes] == ["Interviews/good.md"]


def test_the_whole_corpus_at_once_still_drafts_the_good_note(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {c["path"]: fixture_bytes(n) for n, c in CASES.items()}
    files.update({rel: named_note(f"Co {key}") for key, rel in NAMES.items()})
    files["Notes/good.md"] = GOOD
    root = make(tmp_path / "vault", files)
    (root / "Interviews/loop").symlink_to(root / "Interviews", target_is_directory=True)
    with (root / "Interviews/huge.md").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = CliRunner().invoke(main, ["sync", "--now", NOW.isoformat(), str(root)])
    assert result.exit_code == 1, result.output  # done, with problems to fix
    assert list((root / "Follow-ups/Good Co").glob("*thank-you*.md"))
    report = sync(root, NOW)
    for case in CASES.values():
        check_outcome(root, report, case["path"], case)
    assert report.created == [] and report.updated == []  # a second pass changes nothing
    assert not (root / "PWNED").exists() and not Path("PWNED").exists()
