"""Bad input that used to stop everything, and unsafe settings (issue 14:
D5, D6, D14, D15 of the fault report).

Each fault is made for real: real notes and drafts in a temporary vault,
`vaultfollow` run as a second process (`sync`, or `watch` with its real
watchdog observer), real symbolic links. The assertions are on what the
process did: its exit code, its messages, the files it wrote.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import VaultFactory, wait_for
from test_watch_faults import Lines

NOW = "2026-11-12T10:00"
CONFIG = '[schedule]\ntimezone = "Europe/Berlin"\n[notes]\nfolders = ["Interviews"]\n'


def interview(company: str, *lines: str, date: str | None = "2026-11-10T10:00") -> str:
    """An interview note; `lines` are extra front matter lines."""
    head = ["---", "type: interview", f"company: {company}", "role: Engineer"]
    if date is not None:
        head.append(f"date: {date}")
    return "\n".join([*head, *lines, "interviewers: [Ann Lee]", "---", "## Discussed", "- x", ""])


def line_of(text: str, key: str) -> int:
    """The 1-based line of `key:` in a note."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    raise AssertionError(f"no {key} in {text!r}")


def vaultfollow(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`vaultfollow ARGS` as a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "vaultfollow", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        check=False,
    )


def drafts_of(root: Path, company: str) -> list[str]:
    folder = root / "Follow-ups" / company
    return sorted(p.name for p in folder.glob("*.md")) if folder.is_dir() else []


def outputs_text(root: Path) -> str:
    """Every file vaultfollow wrote (drafts, calendar, dashboard), joined."""
    folder = root / "Follow-ups"
    files = sorted(folder.rglob("*")) if folder.is_dir() else []
    return "\n".join(p.read_text(encoding="utf-8") for p in files if p.is_file())


class Watch:
    """`vaultfollow watch` as a process; its stderr is collected as it comes."""

    def __init__(self, root: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vaultfollow", *args, "watch", str(root), "--now", NOW],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.stderr = Lines(self.process)
        self.reader = self.stderr.reader

    @property
    def log(self) -> str:
        return "".join(self.stderr.lines)

    def wait_for_line(self, text: str, timeout: float = 60) -> None:
        wait_for(
            lambda: text in self.log or self.process.poll() is not None,
            timeout=timeout,
            what=f"a line with {text!r}",
        )
        self.reader.join(0.2)
        assert text in self.log, f"watch exited with {self.process.poll()}:\n{self.log}"

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        code = self.process.wait(timeout=10)
        self.reader.join(5)
        if self.process.stderr is not None:
            self.process.stderr.close()
        return code


@pytest.fixture
def watches() -> Iterator[list[Watch]]:
    """Watch processes a test starts; a test that fails half-way leaves none behind."""
    started: list[Watch] = []
    yield started
    for watch in started:
        if watch.process.poll() is None:
            watch.process.kill()
        watch.stop()


# --- D5: dates and durations beyond what the calendar holds -------------------

FAR_DATES = {
    "decision_by": ("decision_by: 9999-12-31",),
    "date": ("date: 9999-12-31",),
    "status_date": ("status: rejected", "status_date: 9999-12-31"),
    "responded": ("responded: 9999-12-31",),
    "date offset": ("date: 0001-01-01T00:30+14:00",),
    "date in a list of rounds": (
        "interviews:",
        "  - date: 9999-12-31",
        "    interviewers: [Bo Li]",
    ),
}


@pytest.mark.parametrize("case", sorted(FAR_DATES))
def test_a_far_date_in_a_note_is_a_problem_and_the_rest_is_drafted(
    make_vault: VaultFactory, case: str
) -> None:
    """D5: `9999-12-31` (a common "no date" sentinel) or a date whose offset
    takes it out of the calendar is reported with file, line and key; `sync`
    still writes every other note's drafts and the calendar."""
    lines = FAR_DATES[case]
    dated = not lines[0].startswith(("date", "interviews"))
    far = interview("Far", *lines) if dated else interview("Far", *lines, date=None)
    root = make_vault({"Interviews/acme.md": interview("Acme"), "Interviews/far.md": far}, CONFIG)
    key = lines[-1].split(":")[0] if case != "date in a list of rounds" else "interviews"
    done = vaultfollow("sync", str(root), "--now", NOW)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    assert f"Interviews/far.md:{line_of(far, key)}: " in done.stderr, done.stderr
    assert "between 1900 and 2200" in done.stderr
    assert drafts_of(root, "Acme"), done.stderr
    assert "Acme" in (root / "Follow-ups/followups.ics").read_text(encoding="utf-8")


def test_a_far_date_in_a_file_name_is_a_problem(make_vault: VaultFactory) -> None:
    """D5: with no `date:`, the date that starts the file name is read; a far
    one is reported, not planned."""
    root = make_vault(
        {
            "Interviews/acme.md": interview("Acme"),
            "Interviews/9999-12-31 Far.md": interview("Far", date=None),
        },
        CONFIG,
    )
    done = vaultfollow("sync", str(root), "--now", NOW)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    assert "Interviews/9999-12-31 Far.md" in done.stderr
    assert "between 1900 and 2200" in done.stderr
    assert drafts_of(root, "Acme")


def test_a_far_sent_date_in_a_draft_is_a_problem_and_the_rest_is_written(
    make_vault: VaultFactory,
) -> None:
    """D5: a draft marked `sent: 9999-12-31` is reported with its line; the
    other notes' drafts, the calendar and the dashboard are still written."""
    root = make_vault({"Interviews/acme.md": interview("Acme")}, CONFIG)
    assert vaultfollow("sync", str(root), "--now", NOW).returncode == 0
    draft = next((root / "Follow-ups/Acme").glob("*thank-you*.md"))
    text = draft.read_text(encoding="utf-8")
    assert "\nsent:" in text
    text = "\n".join(
        "sent: 9999-12-31" if line.startswith("sent:") else line for line in text.split("\n")
    )
    draft.write_text(text, encoding="utf-8")
    (root / "Interviews/beta.md").write_text(interview("Beta"), encoding="utf-8")
    done = vaultfollow("sync", str(root), "--now", NOW)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    rel = draft.relative_to(root).as_posix()
    assert f"{rel}:{line_of(text, 'sent')}: `sent`" in done.stderr, done.stderr
    assert "between 1900 and 2200" in done.stderr
    assert drafts_of(root, "Beta")
    assert "Beta" in (root / "Follow-ups/followups.ics").read_text(encoding="utf-8")
    assert draft.read_text(encoding="utf-8") == text  # the user's file, untouched


def test_watch_starts_and_keeps_going_with_far_dates(
    make_vault: VaultFactory, watches: list[Watch]
) -> None:
    """D5: `watch` starts on a vault holding a far date (it used to exit at
    its first plan, `next_change`), and a far date saved while it runs does
    not stop the passes that follow."""
    root = make_vault(
        {
            "Interviews/acme.md": interview("Acme"),
            "Interviews/far.md": interview("Far", "decision_by: 9999-12-31"),
        },
        CONFIG,
    )
    watch = Watch(root)
    watches.append(watch)
    watch.wait_for_line("watching")
    (root / "Interviews/later.md").write_text(
        interview("Later", date="0001-01-01T00:30+14:00"), encoding="utf-8"
    )
    watch.wait_for_line("Interviews/later.md")
    (root / "Interviews/beta.md").write_text(interview("Beta"), encoding="utf-8")
    wait_for(lambda: drafts_of(root, "Beta"), timeout=30, what="Beta's drafts")
    assert watch.process.poll() is None, watch.log
    assert watch.stop() == 0
    assert "Traceback" not in watch.log, watch.log
    assert "Interviews/far.md" in watch.log


@pytest.mark.parametrize(
    "key",
    [
        "schedule.check_in_after",
        "schedule.ignore_older_than",
        "schedule.thank_you_deadline",
        "calendar.event_duration",
    ],
)
@pytest.mark.parametrize("value", ["99999999d", "9999999999999d"])
def test_a_huge_config_duration_is_a_config_error(
    make_vault: VaultFactory, key: str, value: str
) -> None:
    """D5: a duration beyond what the calendar holds is refused when the
    config is read (exit 2 naming the key and what is allowed), by `sync`
    and by `watch`, instead of overflowing later."""
    section, name = key.split(".")
    config = f'[{section}]\n{name} = "{value}"\n'
    if section != "schedule":
        config += '[schedule]\ntimezone = "Europe/Berlin"\n'
    else:
        config = config.replace("[schedule]\n", '[schedule]\ntimezone = "Europe/Berlin"\n')
    root = make_vault({"Interviews/acme.md": interview("Acme")}, config)
    for command in ("sync", "watch"):
        done = vaultfollow(command, str(root), "--now", NOW, timeout=60)
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode == 2, (command, done.stderr)
        assert f'[{section}] {name} = "{value}" is not allowed' in done.stderr
        assert "at most 3650 days" in done.stderr


def test_a_huge_duration_saved_while_watching_keeps_the_old_settings(
    make_vault: VaultFactory, watches: list[Watch]
) -> None:
    """D5: a running `watch` whose config gains a huge duration says which
    key is wrong, keeps its settings and its passes (it used to exit)."""
    root = make_vault({"Interviews/acme.md": interview("Acme")}, CONFIG)
    watch = Watch(root)
    watches.append(watch)
    watch.wait_for_line("watching")
    config = root / "vaultfollow.toml"
    config.write_text(CONFIG + '[calendar]\nevent_duration = "99999999d"\n', encoding="utf-8")
    watch.wait_for_line("keeping the previous settings")
    (root / "Interviews/beta.md").write_text(interview("Beta"), encoding="utf-8")
    wait_for(lambda: drafts_of(root, "Beta"), timeout=30, what="Beta's drafts")
    assert watch.stop() == 0
    assert "Traceback" not in watch.log, watch.log
    assert '[calendar] event_duration = "99999999d" is not allowed' in watch.log


@pytest.mark.parametrize("now", ["9999-12-31T00:00", "0001-01-01T00:30+14:00"])
def test_a_far_now_is_a_usage_error(make_vault: VaultFactory, now: str) -> None:
    """D5: `--now` beyond the years notes may name is refused (exit 2)
    before any pass, as a far note date is."""
    root = make_vault({"Interviews/acme.md": interview("Acme")}, CONFIG)
    for command in ("sync", "due", "watch"):
        done = vaultfollow(command, str(root), "--now", now, timeout=60)
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode == 2, (command, done.stderr)
        assert f"--now '{now}'" in done.stderr
        assert "between 1900 and 2200" in done.stderr


# --- D6: a note with thousands of interviewers --------------------------------


def test_thousands_of_interviewers_are_capped_and_the_vault_is_drafted(
    make_vault: VaultFactory,
) -> None:
    """D6: a note with 3,000 interviewers drafts thank-yous for the first 50,
    says so once (file, line, key), and the other notes are drafted as
    usual. (Before, memory and time grew with the square of the count: 3,000
    took 40 s and 3.2 GB, 10,000 was killed for lack of memory.)"""
    people = [f"  - P{i} <p{i}@x.example>" for i in range(3000)]
    many = "\n".join(
        [
            "---",
            "type: interview",
            "company: Many",
            "role: Engineer",
            "date: 2026-11-10T10:00",
            "interviewers:",
            *people,
            "---",
            "",
        ]
    )
    root = make_vault({"Interviews/acme.md": interview("Acme"), "Interviews/many.md": many}, CONFIG)
    done = vaultfollow("sync", str(root), "--now", NOW)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    capped = [line for line in done.stderr.splitlines() if "first 50" in line]
    assert len(capped) == 1, done.stderr
    assert capped[0].startswith(f"Interviews/many.md:{line_of(many, 'interviewers')}: ")
    assert "`interviewers`" in capped[0]
    thanks = [name for name in drafts_of(root, "Many") if " thank-you - " in name]
    assert len(thanks) == 50
    assert any(name.endswith("thank-you - P49.md") for name in thanks)
    assert not any(name.endswith("thank-you - P50.md") for name in thanks)
    assert drafts_of(root, "Acme")


def test_an_application_note_with_a_thousand_rounds_is_capped(make_vault: VaultFactory) -> None:
    """D6: the same for the rounds of one note (`interviews:`): the first 50
    are planned, the rest reported once, the other notes drafted. (Before:
    1,000 rounds took 34 s and 0.9 GB.)"""
    rounds = [f"  - date: 2027-{1 + i // 28:02d}-{1 + i % 28:02d}T10:00" for i in range(336)]
    rounds += [f"  - date: 2028-{1 + i // 28:02d}-{1 + i % 28:02d}T10:00" for i in range(336)]
    rounds += [f"  - date: 2029-{1 + i // 28:02d}-{1 + i % 28:02d}T10:00" for i in range(328)]
    app = "\n".join(
        [
            "---",
            "type: interview",
            "company: Rounds",
            "role: Engineer",
            "contact: Ann Lee <ann@x.example>",
            "interviews:",
            *(f"{item}\n    interviewers: Ann Lee <ann@x.example>" for item in rounds),
            "---",
            "",
        ]
    )
    root = make_vault({"Interviews/acme.md": interview("Acme"), "Interviews/app.md": app}, CONFIG)
    done = vaultfollow("sync", str(root), "--now", NOW)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    capped = [line for line in done.stderr.splitlines() if "first 50" in line]
    assert len(capped) == 1, done.stderr
    assert capped[0].startswith(f"Interviews/app.md:{line_of(app, 'interviews')}: ")
    assert "1000 rounds" in capped[0]
    thanks = [name for name in drafts_of(root, "Rounds") if " thank-you - " in name]
    assert len(thanks) == 50
    assert max(thanks).startswith("2027-02-22 ")  # the 50th round
    assert drafts_of(root, "Acme")


# --- D14: output locations that would hide or mix with the user's notes -------

BAD_DRAFT_FOLDERS = {
    ".": "the vault itself",
    "./": "the vault itself",
    "/home/me/Follow-ups": "absolute",
    ".obsidian": "hidden",
    "Notes/.drafts": "hidden",
    "Templates": "templates",
    "templates/Follow-ups": "templates",
    "Templates/vaultfollow": "templates",
    "Interviews": "[notes] folders",
    "Interviews/Follow-ups": "[notes] folders",
    "Jobs": "[notes] folders",  # holds the listed folder Jobs/Interviews
    "People": "person notes",
}


@pytest.mark.parametrize("value", sorted(BAD_DRAFT_FOLDERS))
def test_a_drafts_folder_over_notes_templates_or_hidden_is_refused(
    make_vault: VaultFactory, value: str
) -> None:
    """D14: `[drafts] folder` must be a folder of vaultfollow's own: not the
    vault, not absolute, not hidden, not over the templates, the listed notes
    folders or the person notes (the drafts folder is never read as notes, so
    any of these silently hid the user's notes). Exit 2, naming the key, the
    value and why."""
    config = CONFIG.replace('["Interviews"]', '["Interviews", "Jobs/Interviews"]')
    root = make_vault(
        {"Interviews/acme.md": interview("Acme")}, config + f'[drafts]\nfolder = "{value}"\n'
    )
    done = vaultfollow("sync", str(root), "--now", NOW, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    assert f'[drafts] folder = "{value}" is not allowed' in done.stderr, done.stderr
    assert BAD_DRAFT_FOLDERS[value] in done.stderr, done.stderr
    assert not (root / "Follow-ups").exists()


BAD_CALENDAR_PATHS = {
    "/tmp/followups.ics": "absolute",
    ".obsidian/followups.ics": "hidden",
    "Follow-ups/.followups.ics": "hidden",
    "Templates/followups.ics": "templates",
    "Interviews/followups.ics": "[notes] folders",
    "People/followups.ics": "person notes",
}


@pytest.mark.parametrize("value", sorted(BAD_CALENDAR_PATHS))
def test_a_calendar_path_in_notes_templates_or_hidden_is_refused(
    make_vault: VaultFactory, value: str
) -> None:
    """D14: `[calendar] path` must lie where vaultfollow's outputs may: exit 2
    naming the key, the value and why."""
    root = make_vault(
        {"Interviews/acme.md": interview("Acme")}, CONFIG + f'[calendar]\npath = "{value}"\n'
    )
    done = vaultfollow("sync", str(root), "--now", NOW, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    assert f'[calendar] path = "{value}" is not allowed' in done.stderr, done.stderr
    assert BAD_CALENDAR_PATHS[value] in done.stderr, done.stderr


def test_the_starter_vault_and_own_output_folders_stay_valid(tmp_path: Path) -> None:
    """D14: the limits leave `init`'s starter config, and output folders of
    their own (also the calendar at the vault root), valid."""
    root = tmp_path / "vault"
    assert vaultfollow("init", str(root), "--timezone", "Europe/Berlin").returncode == 0
    assert vaultfollow("sync", str(root)).returncode == 0
    config = root / "vaultfollow.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace('# folder = "Follow-ups"', 'folder = "Job hunt/Follow-ups"')
        .replace('# path = "Follow-ups/followups.ics"', 'path = "followups.ics"'),
        encoding="utf-8",
    )
    done = vaultfollow("sync", str(root))
    assert done.returncode == 0, done.stderr
    assert (root / "Job hunt/Follow-ups/Follow-ups.md").is_file()
    assert (root / "followups.ics").is_file()


# --- D15: links to files outside the vault ------------------------------------


def test_a_link_to_a_note_outside_the_vault_is_not_read(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """D15: a symlinked note whose target lies outside the vault is not
    read (nothing outside the vault reaches an output; `-v` names the link);
    a link to a note inside the vault is read as before."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "s.md").write_text(interview("OUTSIDE-CO"), encoding="utf-8")
    root = make_vault(
        {"Interviews/acme.md": interview("Acme"), "Archive/inside.md": interview("Inside-Co")},
        CONFIG,
    )
    (root / "Interviews/link.md").symlink_to(outside / "s.md")
    (root / "Interviews/inside link.md").symlink_to(root / "Archive/inside.md")
    done = vaultfollow("-v", "sync", str(root), "--now", NOW)
    assert "Traceback" not in done.stderr, done.stderr
    assert "OUTSIDE-CO" not in outputs_text(root)
    assert "OUTSIDE-CO" not in done.stderr + done.stdout
    assert "Interviews/link.md" in done.stderr
    assert "outside the vault" in done.stderr
    assert drafts_of(root, "Inside-Co")
    assert drafts_of(root, "Acme")


def test_a_link_to_outside_made_while_watching_is_not_read(
    make_vault: VaultFactory, tmp_path: Path, watches: list[Watch]
) -> None:
    """D15: the same for a link made (or a note replaced by such a link)
    while `watch` runs: its events lead to no read of the outside file."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "s.md").write_text(interview("OUTSIDE-CO"), encoding="utf-8")
    root = make_vault(
        {"Interviews/acme.md": interview("Acme"), "Interviews/swap.md": interview("Swap")}, CONFIG
    )
    watch = Watch(root, "-v")
    watches.append(watch)
    watch.wait_for_line("watching")
    assert drafts_of(root, "Swap")
    (root / "Interviews/link.md").symlink_to(outside / "s.md")
    (root / "Interviews/swap.md").unlink()
    (root / "Interviews/swap.md").symlink_to(outside / "s.md")
    (root / "Interviews/beta.md").write_text(interview("Beta"), encoding="utf-8")
    wait_for(lambda: drafts_of(root, "Beta"), timeout=30, what="Beta's drafts")
    watch.wait_for_line("Interviews/swap.md")
    assert "OUTSIDE-CO" not in outputs_text(root)
    assert "Swap" not in (root / "Follow-ups/followups.ics").read_text(encoding="utf-8")
    assert watch.stop() == 0
    assert "OUTSIDE-CO" not in watch.log
