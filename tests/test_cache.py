"""The cache: a sync where nothing changed reads no note and imports no renderer."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

from conftest import BERLIN, at
from vaultfollow.app.engine import open_engine, sync
from vaultfollow.app.starter import init_vault
from vaultfollow.store.cache import FORMAT, dump_cache, load_cache
from vaultfollow.store.paths import CACHE_FILE

NOW = at("2026-11-12 10:00")

PROBE = textwrap.dedent(
    """
    import json, sys
    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo

    root = Path(sys.argv[1]).resolve()
    opened = []

    def audit(event, args):
        if event == "open" and isinstance(args[0], (str, bytes)):
            path = Path(args[0] if isinstance(args[0], str) else args[0].decode())
            if path.is_absolute() and root in path.parents:
                opened.append(path.relative_to(root).as_posix())

    sys.addaudithook(audit)
    from vaultfollow.app.engine import sync

    report = sync(root, datetime(2026, 11, 12, 10, tzinfo=ZoneInfo("Europe/Berlin")))
    print(json.dumps({
        "opened": sorted(set(opened)),
        "written": report.created + report.updated + report.outputs,
        "modules": sorted(m for m in ("jinja2", "icalendar", "markdown_it",
                                      "vaultfollow.core.drafts", "vaultfollow.core.ics",
                                      "vaultfollow.core.dashboard")
                          if m in sys.modules),
    }))
    """
)


def probe(root: Path) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(root)], capture_output=True, text=True, check=True
    )
    data: dict[str, list[str]] = json.loads(result.stdout)
    return data


def test_a_sync_with_nothing_changed_reads_no_note_and_imports_no_renderer(
    tmp_path: Path,
) -> None:
    root = tmp_path / "vault"
    init_vault(root, date(2026, 11, 12), "Europe/Berlin")
    cold = probe(root)
    assert cold["written"] and "jinja2" in cold["modules"]
    assert any(p.startswith("Interviews/") for p in cold["opened"])
    warm = probe(root)
    assert warm["written"] == []
    assert warm["modules"] == []
    notes = [p for p in warm["opened"] if p.endswith(".md")]
    assert notes == [], notes
    assert set(warm["opened"]) <= {
        "vaultfollow.toml",
        ".obsidian/templates.json",
        ".obsidian/plugins/templater-obsidian/data.json",
        "Follow-ups/vaultfollow-state.json",
        CACHE_FILE,
    }


def test_a_changed_note_is_read_again(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    init_vault(root, date(2026, 11, 12), "Europe/Berlin")
    probe(root)
    note = next((root / "Interviews").glob("*Lumen*"))
    note.write_text(note.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    warm = probe(root)
    assert [p for p in warm["opened"] if p.endswith(".md")] == [f"Interviews/{note.name}"]


def test_non_interview_notes_are_rejected_before_yaml(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    (root / "Notes").mkdir(parents=True)
    (root / "Notes/daily.md").write_text("---\ntags: [daily]\n---\n" + "words " * 5000)
    (root / "Notes/broken.md").write_text("---\ntitle: a: b\n---\n")  # bad YAML, not ours
    (root / "Interviews").mkdir()
    (root / "Interviews/acme.md").write_text(
        "---\ntype: interview\ncompany: A\nrole: B\ndate: 2026-11-12\ninterviewers: [X Y]\n---\n"
    )
    report = sync(root, NOW)
    assert not report.problems and len(report.created) == 2


def test_a_corrupt_or_foreign_cache_is_rebuilt(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    init_vault(root, date(2026, 11, 12), "Europe/Berlin")
    sync(root, NOW)
    outputs = {p: p.read_bytes() for p in (root / "Follow-ups").rglob("*") if p.is_file()}
    cache = root / CACHE_FILE
    for damage in (
        b"\x00garbage",
        b"[]",
        b'{"format": 5, "settings": "other"}',
        cache.read_bytes()[: len(cache.read_bytes()) // 2],
    ):
        cache.write_bytes(damage)
        report = sync(root, NOW)
        assert not report.created and not report.updated
        assert {p: p.read_bytes() for p in outputs} == outputs
        assert json.loads(cache.read_bytes().partition(b"\n")[0])["format"] == FORMAT


def test_cache_round_trip_keeps_every_value(tmp_path: Path) -> None:
    cases = Path(__file__).parent / "cases"
    for case in sorted(cases.iterdir()):
        engine = open_engine(case / "vault")
        engine.read_all()
        key = "k"
        again = load_cache(dump_cache(engine._cache, key), key, "Europe/Berlin")
        assert again.notes == engine._cache.notes, case.name
        assert again.plain == engine._cache.plain, case.name
        assert again.drafts == engine._cache.drafts, case.name
        for cached in again.notes.values():
            for round_ in cached.note.rounds if cached.note else ():
                assert round_.start.tzinfo == BERLIN


def test_marking_a_draft_sent_reads_it_without_the_template_engine(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    init_vault(root, date(2026, 11, 12), "Europe/Berlin")
    probe(root)
    draft = next((root / "Follow-ups").rglob("*thank-you*.md"))  # sent: nothing new to draft
    draft.write_text(
        draft.read_text(encoding="utf-8").replace("status: draft", "status: sent", 1),
        encoding="utf-8",
    )
    warm = probe(root)
    assert draft.relative_to(root).as_posix() in warm["opened"]
    assert "jinja2" not in warm["modules"]
