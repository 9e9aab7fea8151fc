"""Hostile notes, templates and values: nothing escapes the owned folders,
nothing is injected, nothing runs, nothing goes on the network."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream

from conftest import VaultFactory, at
from vaultfollow.app.engine import sync
from vaultfollow.cli import main
from vaultfollow.core.draftfile import read_draft
from vaultfollow.core.front_matter import load_yaml

NOW = at("2026-11-12 10:00")
OWNED = ("Follow-ups/", ".vaultfollow/")
DRAFT_KEYS = {
    "followup", "status", "sent", "to", "subject", "do", "deadline", "source", "company",
    "role", "channel", "phone", "address", "compose", "followup_id", "vaultfollow_hash",
}  # fmt: skip

HOSTILE = r"""
---
type: interview
company: "[click](http://evil.example) [[Secret]] Acme\r\nDTSTART:19700101T000000Z\n---\nstatus: x"
role: "R | x\nBEGIN:VEVENT\nSUMMARY:injected"
date: 2026-11-12T15:30
phone: "+1 555\nATTENDEE:mailto:evil@example.com"
interviewers:
  - "Jane\r\nATTENDEE:mailto:evil@example.com <jane@example.com>"
  - "../../etc"
  - "/etc/passwd"
  - "..\\..\\windows\\system32"
  - "a\0b"
  - "CON"
  - "aux.txt"
  - "LPT1"
  - "x: y\n---\nstatus: sent"
  - "[[../../../outside|Bob]]"
  - "{LONG}"
---
## Discussed
- <script>alert(1)</script> and [a link](javascript:alert(1))
"""


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_no_property_value_writes_outside_the_owned_folders(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    root = make_vault({"Interviews/evil.md": HOSTILE.replace("{LONG}", "L" * 5000)})
    outside_before = tree(tmp_path)
    report = sync(root, NOW)
    assert len(report.created) == 12  # one thank-you each, plus a check-in
    after = tree(tmp_path)
    new = {rel for rel in after if rel not in outside_before or after[rel] != outside_before[rel]}
    assert new and all(rel.startswith(tuple(f"vault/{o}" for o in OWNED)) for rel in new), new
    for path in (root / "Follow-ups").rglob("*"):
        assert path.resolve().is_relative_to(root / "Follow-ups")
        assert len(path.name.encode("utf-8")) <= 255
        assert path.name.split(".")[0].upper() not in {"CON", "AUX", "LPT1", "NUL"}


def test_values_cannot_inject_calendar_properties_front_matter_keys_or_links(
    make_vault: VaultFactory,
) -> None:
    root = make_vault({"Interviews/evil.md": HOSTILE.replace("{LONG}", "Zed")})
    report = sync(root, NOW)
    ics = (root / "Follow-ups/followups.ics").read_bytes().decode("utf-8")
    calendar = IcsCalendarStream.calendar_from_ics(ics)
    pending = [f for f in report.plan.followups if f.state.value == "pending"]
    events = list(calendar.events)
    assert len(events) == len({f.event_id for f in pending})
    assert all(e.dtstart.year == 2026 for e in events)
    unfolded = ics.replace("\r\n ", "").split("\r\n")
    assert not [line for line in unfolded if line.startswith(("ATTENDEE", "DTSTART:1970"))]
    assert sum(line == "BEGIN:VEVENT" for line in unfolded) == len(events)
    for path in (root / "Follow-ups").rglob("*.md"):
        if path.name == "Follow-ups.md":
            continue
        text = path.read_text("utf-8")
        front = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
        assert set(front) <= DRAFT_KEYS and front["status"] == "draft", path
        record, problems = read_draft(path.name, text)
        assert record is not None and not record.edited and problems == []
    dashboard = (root / "Follow-ups/Follow-ups.md").read_text("utf-8")
    assert "[click](" not in dashboard  # the brackets are escaped: text, never a link
    assert "[[Secret]]" not in dashboard and "<script>" not in dashboard
    front_matter = dashboard.split("\n---\n", 1)[0]
    assert "status" not in front_matter


ATTACKS = [
    "{{ cycler.__init__.__globals__.os }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% include '/etc/passwd' %}",
    "{% include '../../../../etc/passwd' %}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('touch PWNED').read() }}",
    "{% import 'os' as os %}{{ os }}",
    "{{ self._TemplateReference__context }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ 'x' * 1000000000 }}",
    "{% for i in range(10**9) %}{% endfor %}",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_vault_templates_run_in_the_sandbox(
    attack: str, make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    note = "---\ntype: interview\ncompany: Acme\nrole: R\ndate: 2026-11-12T15:30\nwith: Jane\n---\n"
    root = make_vault(
        {
            "Interviews/acme.md": note,
            "Templates/vaultfollow/thank-you-formal.md": f"Subject: hi\n\n{attack}\n",
        }
    )
    report = sync(root, NOW)
    assert any("thank-you-formal.md" in p.message for p in report.problems), report.problems
    assert not list((root / "Follow-ups").rglob("*thank-you*.md"))  # nothing half-rendered
    assert not (tmp_path / "PWNED").exists() and not (root / "PWNED").exists()
    assert "root:" not in (root / "Follow-ups/Follow-ups.md").read_text("utf-8")


@pytest.mark.parametrize(
    "tag",
    [
        '!!python/object/apply:os.system ["touch PWNED"]',
        "!!python/object/new:os.system [touch PWNED]",
        "!!python/name:os.system",
        '!!python/object/apply:subprocess.check_output [["touch", "PWNED"]]',
    ],
)
def test_yaml_is_only_ever_safe_loaded(
    tag: str, make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(yaml.YAMLError):
        load_yaml(f"company: {tag}\n")
    text = f"---\ntype: interview\ncompany: {tag}\nrole: R\ndate: 2026-11-12T15:30\n---\n"
    draft = f"---\nfollowup: thank-you\nstatus: {tag}\n---\nbody\n"
    root = make_vault({"Interviews/evil.md": text, "Follow-ups/Acme/evil.md": draft})
    report = sync(root, NOW)
    assert any(p.path == "Interviews/evil.md" for p in report.problems)
    assert report.plan.notes == ()
    assert not list(tmp_path.rglob("PWNED"))


class NetworkSpy:
    """Stands in for socket.socket and friends: records each attempt, refuses it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def refuse(self, name: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(f"{name}{args!r}")
            raise OSError(f"network use is not allowed in this test: {name}")

        return refused


def test_no_network_connection_during_a_full_run(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = NetworkSpy()
    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, spy.refuse(name))
    body = (
        "---\ntype: interview\ncompany: Acme\nrole: R\ndate: 2026-11-12T15:30\n"
        "interviewers: ['[[People/Jane]]', Raj <raj@acme.example>]\ncontact: https://acme.example\n"
        "---\n## Discussed\n- see https://example.com/x and ![img](https://example.com/a.png)\n"
    )
    root = make_vault(
        {"Interviews/acme.md": body, "People/Jane.md": "---\nemail: jane@acme.example\n---\n"}
    )
    runner = CliRunner()
    for command in (["sync"], ["due", "--json"], ["check"], ["sync", "--dry-run"]):
        result = runner.invoke(main, [*command, "--now", NOW.isoformat(), str(root)])
        assert result.exception is None or isinstance(result.exception, SystemExit), command
    assert spy.calls == []
