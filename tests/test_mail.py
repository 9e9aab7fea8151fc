"""The mailbox (issue 19) against a real Dovecot IMAP server on 127.0.0.1
(see mail_server.py): read-only, headers only, nothing else kept."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.server
import json
import logging
import os
import select
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import imapclient
import pytest
from click.testing import CliRunner

from conftest import VaultFactory
from mail_server import DOVECOT, PASSWORD, USER, Dovecot, Message
from test_sync import snapshot as vault_snapshot
from vaultfollow.app.engine import load_settings, open_engine, sync
from vaultfollow.cli import main
from vaultfollow.core.config import MailSettings
from vaultfollow.core.draftfile import is_edited
from vaultfollow.core.mailbox import draft_subject
from vaultfollow.core.model import FollowUp, Kind, State
from vaultfollow.mail import Backoff, MailAuthError, MailError, MailWorker, read_with
from vaultfollow.store.vault import Vault

UTC = dt.UTC
SRC = Path(__file__).resolve().parent.parent / "src"


StartDovecot = Callable[..., Dovecot]


@pytest.fixture
def start_dovecot() -> Iterator[StartDovecot]:
    """Start Dovecot servers (options as `Dovecot` takes them); all are
    stopped by their pid at the end."""
    started: list[tuple[Dovecot, Path]] = []
    if not Path(DOVECOT).is_file():
        missing = "no Dovecot here: install Debian's dovecot-imapd (.ci/run does)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must test the mailbox against a real Dovecot, but {missing}")
        pytest.skip(missing)

    def start(**options: Any) -> Dovecot:
        # Not under tmp_path: as root, the mail user must reach the Maildir,
        # and pytest's folders are open to their owner only.
        folder = Path(tempfile.mkdtemp(prefix="vaultfollow-imap-"))
        server = Dovecot(folder, **options)
        started.append((server, folder))
        server.start()
        return server

    yield start
    for server, folder in started:
        server.stop()
        if not os.environ.get("VF_KEEP_IMAP"):
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def dovecot(start_dovecot: StartDovecot) -> Dovecot:
    return start_dovecot()


@pytest.fixture(autouse=True)
def imap_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VF_IMAP_PASSWORD", PASSWORD)


def mail_settings(server: Dovecot, **changes: Any) -> MailSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": USER,
        "password_env": "VF_IMAP_PASSWORD",
        "ca_file": str(server.cert),
        "tls": "none" if server.plaintext else "starttls" if server.starttls else "implicit",
    }
    values.update(changes)
    return MailSettings(**values)


def at(day: str, clock: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC)


SINCE = dt.date(2026, 10, 1)


def test_the_fixture_server_logs_in_over_tls_and_names_its_sent_folder(dovecot: Dovecot) -> None:
    dovecot.deliver(
        Message(
            "Sent",
            "me@example.org",
            "jane@acme.test",
            "Thank you",
            dt.datetime(2026, 11, 20, tzinfo=UTC),
        )
    )
    context = ssl.create_default_context(cafile=str(dovecot.cert))
    with imapclient.IMAPClient(
        "127.0.0.1", port=dovecot.port, ssl=True, ssl_context=context
    ) as client:
        client.login(USER, PASSWORD)
        folders = {name: flags for flags, _, name in client.list_folders()}
        assert b"\\Sent" in folders["Sent"]
        client.select_folder("Sent", readonly=True)
        assert len(client.search(["ALL"])) == 1
        client.logout()


def test_the_fixture_server_refuses_an_unknown_certificate(dovecot: Dovecot) -> None:
    context = ssl.create_default_context()  # the system's CAs: the test's is not among them
    with pytest.raises(ssl.SSLCertVerificationError):
        imapclient.IMAPClient("127.0.0.1", port=dovecot.port, ssl=True, ssl_context=context)


# --- reading: EXAMINE, header fields only, nothing changed -----------------------


def fill(server: Dovecot) -> None:
    server.deliver(
        Message(
            "INBOX",
            "Jane Doe <jane@acme.test>",
            "me@example.org",
            "Next steps",
            at("2026-11-25"),
            message_id="<r1@acme.test>",
            flags="",
        )
    )
    server.deliver(
        Message("INBOX", "old@acme.test", "me@example.org", "Long ago", at("2026-08-01"))
    )
    server.deliver(
        Message(
            "Sent",
            "me@example.org",
            "Jane Doe <jane@acme.test>",
            "Thank you",
            at("2026-11-20"),
            message_id="<s1@example.org>",
            flags="S",
        )
    )


def test_reads_header_fields_of_inbox_and_sent_and_changes_nothing(dovecot: Dovecot) -> None:
    fill(dovecot)
    before = dovecot.snapshot()
    read = read_with(mail_settings(dovecot), SINCE)
    assert read.folders == ("INBOX", "Sent") and read.sent_folders == ("Sent",)
    by_subject = {h.subject: h for h in read.headers}
    assert set(by_subject) == {"Next steps", "Thank you"}  # SINCE left out August
    reply = by_subject["Next steps"]
    assert (reply.sender, reply.folder, reply.in_sent_folder) == ("jane@acme.test", "INBOX", False)
    assert by_subject["Thank you"].recipients == ("jane@acme.test",)
    assert by_subject["Thank you"].in_sent_folder
    read_with(mail_settings(dovecot), SINCE)  # twice: still nothing changes
    assert dovecot.snapshot() == before  # names (which hold the flags) and bytes
    dovecot.stop()
    log = dovecot.log()
    assert "hdr_count=" in log and "body_count=0 body_bytes=0" in log
    assert "body_count=1" not in log and "body_count=2" not in log


def test_the_snapshot_would_see_a_flag_change(dovecot: Dovecot) -> None:
    """The check above can fail: a client that SELECTs and fetches a body
    marks the unread message seen, and the snapshot shows it."""
    fill(dovecot)
    before = dovecot.snapshot()
    context = ssl.create_default_context(cafile=str(dovecot.cert))
    with imapclient.IMAPClient(
        "127.0.0.1", port=dovecot.port, ssl=True, ssl_context=context
    ) as client:
        client.login(USER, PASSWORD)
        client.select_folder("INBOX")
        client.fetch(client.search(["ALL"]), ["BODY[]"])
        client.logout()
    assert dovecot.snapshot() != before


def test_the_sent_folder_is_found_by_its_special_use(start_dovecot: StartDovecot) -> None:
    server = start_dovecot(sent_name="Gesendet")
    server.deliver(Message("Sent", "me@example.org", "jane@acme.test", "Danke", at("2026-11-20")))
    read = read_with(mail_settings(server), SINCE)
    assert read.folders == ("INBOX", "Gesendet") and read.sent_folders == ("Gesendet",)
    assert [h.subject for h in read.headers] == ["Danke"]


def test_folders_from_the_config_and_a_missing_one(dovecot: Dovecot) -> None:
    fill(dovecot)
    read = read_with(mail_settings(dovecot, folders=("Sent",)), SINCE)
    assert read.folders == ("Sent",) and [h.subject for h in read.headers] == ["Thank you"]
    with pytest.raises(MailError) as caught:
        read_with(mail_settings(dovecot, folders=("INBOX", "Archive")), SINCE)
    assert caught.value.message == (
        "mail: 'Archive' is not a folder on 127.0.0.1 (it has: INBOX, Sent); fix [mail] folders"
    )


def test_starttls(start_dovecot: StartDovecot) -> None:
    server = start_dovecot(starttls=True)
    fill(server)
    read = read_with(mail_settings(server), SINCE)
    assert len(read.headers) == 2


def test_a_wrong_password_is_a_clear_error(
    dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VF_IMAP_PASSWORD", "not-the-password")
    with pytest.raises(MailAuthError) as caught:
        read_with(mail_settings(dovecot), SINCE)
    message = caught.value.message
    assert message.startswith(f"mail: 127.0.0.1:{dovecot.port} refused the login of 'jobseeker'")
    assert "check [mail] username and the password" in message
    assert "not-the-password" not in message and "\n" not in message


def test_an_unknown_certificate_is_a_clear_error(dovecot: Dovecot) -> None:
    with pytest.raises(MailError) as caught:
        read_with(mail_settings(dovecot, ca_file=""), SINCE)
    assert "the certificate of 127.0.0.1" in caught.value.message
    assert "set [mail] ca_file" in caught.value.message


def test_a_server_that_is_down_is_a_clear_error(dovecot: Dovecot) -> None:
    dovecot.stop()
    with pytest.raises(MailError) as caught:
        read_with(mail_settings(dovecot), SINCE)
    assert caught.value.message.startswith(f"mail: the connection to 127.0.0.1:{dovecot.port}")
    assert "check that the server is up" in caught.value.message


# --- the vault: sent seen, replies stop check-ins ----------------------------------

ACME = """
---
type: interview
company: Acme
role: Platform Engineer
date: 2026-11-12T15:30
status: waiting
interviewers:
  - Jane Doe <jane@acme.com>
  - Raj Patel <raj@acme.com>
---
## Discussed
- the migration to event sourcing
"""
FIRST_SYNC = dt.datetime(2026, 11, 12, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
JANE_THANKS = "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"
RAJ_THANKS = "Follow-ups/Acme/2026-11-12 thank-you - Raj Patel.md"
JANE_CHECK_IN = "Follow-ups/Acme/2026-11-12 check-in - Jane Doe.md"


def mail_vault(make_vault: VaultFactory, server: Dovecot, note: str = ACME) -> Path:
    config = (
        '[schedule]\ntimezone = "Europe/Berlin"\n[you]\nname = "Sam Seeker"\n'
        'email = "me@example.org"\n'
        f'[mail]\nhost = "127.0.0.1"\nport = {server.port}\nusername = "{USER}"\n'
        f'password_env = "VF_IMAP_PASSWORD"\nca_file = "{server.cert}"\n'
    )
    root = make_vault({"Interviews/acme.md": note}, config=config)
    sync(root, FIRST_SYNC)
    return root


def subject_of(root: Path, rel: str) -> str:
    return draft_subject((root / rel).read_text(encoding="utf-8"))


def run_mail(root: Path, now: str, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["mail", str(root), "--now", now, *extra], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def planned(root: Path, now: str) -> dict[str, FollowUp]:
    engine = open_engine(root)
    engine.read_all()
    plan, _ = engine.plan(dt.datetime.fromisoformat(now).replace(tzinfo=BERLIN))
    return {f.draft_path: f for f in plan.followups}


BERLIN = ZoneInfo("Europe/Berlin")


def sent_to(address: str, subject: str, when: dt.datetime, message_id: str = "") -> Message:
    return Message("Sent", "Sam Seeker <me@example.org>", address, subject, when, message_id)


def test_a_thank_you_seen_in_sent_marks_its_unedited_draft_sent(
    make_vault: VaultFactory, dovecot: Dovecot
) -> None:
    root = mail_vault(make_vault, dovecot)
    subject = subject_of(root, JANE_THANKS)
    dovecot.deliver(
        sent_to("Jane Doe <JANE@acme.com>", "Re: " + subject.upper(), at("2026-11-12", "18:00"))
    )
    dovecot.deliver(sent_to("someone@else.test", subject, at("2026-11-12", "18:05")))
    before = dovecot.snapshot()
    code, out, _ = run_mail(root, "2026-11-13T09:00")
    assert code == 0
    assert out.splitlines() == [f"sent 2026-11-12 to jane@acme.com: {JANE_THANKS} (marked)"]
    text = (root / JANE_THANKS).read_text(encoding="utf-8")
    assert "\nstatus: sent\n" in text and "\nsent: 2026-11-12\n" in text
    assert not is_edited(text)  # still vaultfollow's: signed anew
    assert "\nstatus: draft\n" in (root / RAJ_THANKS).read_text(encoding="utf-8")
    followups = planned(root, "2026-11-13T09:00")
    assert followups[JANE_THANKS].state is State.SENT
    assert followups[JANE_THANKS].sent == dt.date(2026, 11, 12)
    assert followups[RAJ_THANKS].state is State.PENDING
    dashboard = (root / "Follow-ups" / "Follow-ups.md").read_text(encoding="utf-8")
    assert "thank-you to Jane Doe: sent Thu 12 Nov (seen in Sent)" in dashboard
    assert dovecot.snapshot() == before
    assert run_mail(root, "2026-11-13T09:05")[1] == (
        "Nothing new in the mailbox about your follow-ups.\n"
    )


def test_an_edited_draft_is_left_alone_and_the_state_kept(
    make_vault: VaultFactory, dovecot: Dovecot
) -> None:
    root = mail_vault(make_vault, dovecot)
    draft = root / JANE_THANKS
    draft.write_text(draft.read_text(encoding="utf-8") + "\nP.S. my own words\n", encoding="utf-8")
    edited = draft.read_bytes()
    dovecot.deliver(
        sent_to("jane@acme.com", subject_of(root, JANE_THANKS), at("2026-11-12", "18:00"))
    )
    code, out, _ = run_mail(root, "2026-11-13T09:00")
    assert code == 0
    assert "(seen sent (your edited draft left as it is))" in out
    assert draft.read_bytes() == edited
    assert planned(root, "2026-11-13T09:00")[JANE_THANKS].state is State.SENT
    state = json.loads((root / ".vaultfollow" / "mail.json").read_text(encoding="utf-8"))
    (seen,) = state["sent"].values()
    assert seen["day"] == "2026-11-12" and seen["address"] == "jane@acme.com"


def test_the_only_message_in_the_window_counts_two_do_not(
    make_vault: VaultFactory, dovecot: Dovecot
) -> None:
    root = mail_vault(make_vault, dovecot)
    dovecot.deliver(sent_to("raj@acme.com", "Great talking today", at("2026-11-12", "19:00")))
    dovecot.deliver(sent_to("jane@acme.com", "One thing", at("2026-11-12", "19:00")))
    dovecot.deliver(sent_to("jane@acme.com", "And another", at("2026-11-12", "19:30")))
    dovecot.deliver(sent_to("jane@acme.com", "Before we met", at("2026-11-11", "19:30")))
    code, out, _ = run_mail(root, "2026-11-13T09:00")
    assert code == 0
    assert out.splitlines() == [f"sent 2026-11-12 to raj@acme.com: {RAJ_THANKS} (marked)"]


def test_a_check_in_seen_sent_plans_the_second_one(
    make_vault: VaultFactory, dovecot: Dovecot
) -> None:
    root = mail_vault(make_vault, dovecot)
    check_in = planned(root, "2026-11-20T09:00")[JANE_CHECK_IN]
    sent_day = check_in.do.date()
    dovecot.deliver(
        sent_to("jane@acme.com", subject_of(root, JANE_CHECK_IN), at(sent_day.isoformat(), "09:30"))
    )
    run_mail(root, f"{sent_day.isoformat()}T12:00")
    followups = planned(root, f"{sent_day.isoformat()}T12:00")
    assert followups[JANE_CHECK_IN].state is State.SENT
    second = [f for f in followups.values() if f.kind is Kind.SECOND_CHECK_IN]
    assert len(second) == 1 and second[0].state is State.PENDING
    assert (root / second[0].draft_path).exists()  # the pass drafted it


@pytest.mark.parametrize(
    ("sender", "extra", "subject", "counts"),
    [
        ("Jane Doe <jane@acme.com>", (), "Next steps", True),
        ("hr@acme.com", (), "Your application", True),  # the company's mail domain
        ("friend@gmail.com", (), "Next steps", False),
        ("jane@acme.com", (("Auto-Submitted", "auto-replied"),), "Next steps", False),
        ("jane@acme.com", (("X-Autoreply", "yes"),), "Next steps", False),
        ("jane@acme.com", (("Precedence", "bulk"),), "Next steps", False),
        ("jane@acme.com", (), "Out of Office: back Monday", False),
        ("jane@acme.com", (("Auto-Submitted", "no"),), "Next steps", True),
    ],
)
def test_a_reply_from_their_people_cancels_the_check_ins(
    make_vault: VaultFactory,
    dovecot: Dovecot,
    sender: str,
    extra: tuple[tuple[str, str], ...],
    subject: str,
    counts: bool,
) -> None:
    root = mail_vault(make_vault, dovecot)
    dovecot.deliver(
        Message("INBOX", sender, "me@example.org", subject, at("2026-11-16"), extra=extra)
    )
    code, out, _ = run_mail(root, "2026-11-17T09:00")
    assert code == 0
    check_in = planned(root, "2026-11-17T09:00")[JANE_CHECK_IN]
    if counts:
        assert check_in.state is State.CANCELLED and check_in.reason == "they responded"
        assert out.startswith("reply 2026-11-16 from ")
        dashboard = (root / "Follow-ups" / "Follow-ups.md").read_text(encoding="utf-8")
        who = sender.partition("<")[2].rstrip(">") or sender
        assert f"Heard back from {who} (seen in the mailbox)" in dashboard
    else:
        assert check_in.state is State.PENDING
        assert out == "Nothing new in the mailbox about your follow-ups.\n"


def test_a_reply_to_a_follow_up_seen_sent_counts_from_any_address(
    make_vault: VaultFactory, dovecot: Dovecot
) -> None:
    root = mail_vault(make_vault, dovecot)
    dovecot.deliver(
        sent_to(
            "jane@acme.com",
            subject_of(root, JANE_THANKS),
            at("2026-11-12", "18:00"),
            "<t1@example.org>",
        )
    )
    run_mail(root, "2026-11-13T09:00")
    dovecot.deliver(
        Message(
            "INBOX",
            "agent@recruiters.test",
            "me@example.org",
            "Re: thanks",
            at("2026-11-16"),
            in_reply_to="<t1@example.org>",
        )
    )
    dovecot.deliver(
        Message("INBOX", "agent@recruiters.test", "me@example.org", "Other", at("2026-11-15"))
    )
    dovecot.deliver(  # the user's own second message in the thread is no reply
        Message(
            "Sent",
            "Sam <sam@elsewhere.test>",
            "agent@recruiters.test",
            "Re: thanks",
            at("2026-11-14"),
            in_reply_to="<t1@example.org>",
        )
    )
    code, out, _ = run_mail(root, "2026-11-17T09:00")
    assert code == 0
    assert out.splitlines() == [
        "reply 2026-11-16 from agent@recruiters.test: Acme (pending check-ins cancelled)"
    ]
    assert planned(root, "2026-11-17T09:00")[JANE_CHECK_IN].state is State.CANCELLED
    assert run_mail(root, "2026-11-17T09:10")[1] == (
        "Nothing new in the mailbox about your follow-ups.\n"
    )


def test_mail_before_the_interview_ended_is_no_reply(
    make_vault: VaultFactory, dovecot: Dovecot
) -> None:
    root = mail_vault(make_vault, dovecot)
    dovecot.deliver(
        Message(
            "INBOX",
            "jane@acme.com",
            "me@example.org",
            "See you at 15:30",
            at("2026-11-12", "08:00"),
        )
    )
    run_mail(root, "2026-11-17T09:00")
    assert planned(root, "2026-11-17T09:00")[JANE_CHECK_IN].state is State.PENDING


def test_what_the_note_records_wins_over_the_mailbox(
    make_vault: VaultFactory, dovecot: Dovecot
) -> None:
    note = ACME.replace("status: waiting\n", "responded: 2026-11-19\n")
    root = mail_vault(make_vault, dovecot, note)
    dovecot.deliver(Message("INBOX", "jane@acme.com", "me@example.org", "Hi", at("2026-11-16")))
    run_mail(root, "2026-11-17T09:00")
    followups = planned(root, "2026-11-17T09:00")
    assert JANE_CHECK_IN not in followups  # the note's response cancelled it before it was drafted
    assert {f.note.responded for f in followups.values()} == {dt.date(2026, 11, 19)}


def test_dry_run_changes_nothing(make_vault: VaultFactory, dovecot: Dovecot) -> None:
    root = mail_vault(make_vault, dovecot)
    dovecot.deliver(
        sent_to("jane@acme.com", subject_of(root, JANE_THANKS), at("2026-11-12", "18:00"))
    )
    dovecot.deliver(Message("INBOX", "jane@acme.com", "me@example.org", "Hi", at("2026-11-16")))
    before = vault_snapshot(root)
    code, out, _ = run_mail(root, "2026-11-17T09:00", "--dry-run")
    assert code == 0
    assert out.splitlines() == [
        f"sent 2026-11-12 to jane@acme.com: {JANE_THANKS} (would mark)",
        "reply 2026-11-16 from jane@acme.com: Acme (check-ins would be cancelled)",
    ]
    assert vault_snapshot(root) == before


def test_no_other_mail_leaves_a_trace(make_vault: VaultFactory, dovecot: Dovecot) -> None:
    root = mail_vault(make_vault, dovecot)
    dovecot.deliver(
        sent_to(
            "jane@acme.com",
            subject_of(root, JANE_THANKS),
            at("2026-11-12", "18:00"),
            "<mine-1@example.org>",
        )
    )
    dovecot.deliver(
        Message(
            "INBOX",
            "jane@acme.com",
            "me@example.org",
            "SUBJECT-OF-JANE",
            at("2026-11-16"),
            message_id="<jane-1@acme.com>",
        )
    )
    dovecot.deliver(
        Message(
            "INBOX",
            "Shop <news@shop.test>",
            "me@example.org",
            "SECRET-SALE",
            at("2026-11-16"),
            message_id="<sale@shop.test>",
        )
    )
    dovecot.deliver(
        sent_to("mum@family.test", "SECRET-FAMILY", at("2026-11-14"), "<fam@example.org>")
    )
    run_mail(root, "2026-11-17T09:00")
    kept = b"".join(
        p.read_bytes() for p in sorted((root / ".vaultfollow").rglob("*")) if p.is_file()
    )
    assert b"jane@acme.com" in kept  # the matched address
    for secret in (
        b"shop.test",
        b"SECRET",
        b"family.test",
        b"SUBJECT-OF-JANE",
        b"mine-1",
        b"jane-1",
        b"Shop",
    ):
        assert secret not in kept, secret
    everything = b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())
    for secret in (b"shop.test", b"SECRET-SALE", b"SECRET-FAMILY", b"SECRET BODY"):
        assert secret not in everything, secret


def test_a_mail_failure_is_one_line_and_exit_3(make_vault: VaultFactory, dovecot: Dovecot) -> None:
    root = mail_vault(make_vault, dovecot)
    dovecot.stop()
    code, out, err = run_mail(root, "2026-11-17T09:00")
    assert code == 3 and out == ""
    (line,) = err.strip().splitlines()
    assert (
        line.startswith("error: mail: the connection to 127.0.0.1")
        or "mail: the connection" in line
    )


def test_a_refused_login_is_exit_2(
    make_vault: VaultFactory, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = mail_vault(make_vault, dovecot)
    monkeypatch.setenv("VF_IMAP_PASSWORD", "wrong")
    code, _, err = run_mail(root, "2026-11-17T09:00")
    assert (
        code == 2
        and "refused the login" in err
        and "wrong" not in err.replace("wrong password", "")
    )


# --- watch --mail ----------------------------------------------------------------


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.02)


def test_the_mail_worker_says_a_failure_in_one_line_and_carries_on(
    make_vault: VaultFactory, dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    root = mail_vault(make_vault, dovecot)
    settings = load_settings(Vault(root)).mail
    changed = threading.Event()
    now = FIRST_SYNC + dt.timedelta(days=1)
    worker = MailWorker(
        root, settings, lambda: now, changed.set, backoff=Backoff(first=0.01, ceiling=0.05)
    )
    dovecot.stop()
    caplog.set_level(logging.WARNING, logger="vaultfollow.mail")
    worker.start()
    try:
        wait_for(lambda: worker.checks >= 3, "three failed checks")
        failures = [r.getMessage() for r in caplog.records if r.name == "vaultfollow.mail"]
        assert len(failures) >= 3
        assert all("\n" not in line for line in failures)
        assert failures[0].startswith(f"mail: the connection to 127.0.0.1:{dovecot.port} failed")
        assert failures[0].endswith("; trying again in 0 s")
        dovecot.deliver(
            sent_to("jane@acme.com", subject_of(root, JANE_THANKS), at("2026-11-12", "18:00"))
        )
        dovecot.start()  # back, on the same port
        assert changed.wait(60), "the worker never saw the server back"
    finally:
        worker.stop()
    assert "\nstatus: sent\n" in (root / JANE_THANKS).read_text(encoding="utf-8")


def test_watch_mail_cancels_check_ins_on_a_reply_and_stops_cleanly(
    make_vault: VaultFactory, dovecot: Dovecot
) -> None:
    """Only `.vaultfollow/mail.json` changes (no file the watcher sees): the
    worker asks the watcher for the pass that shows it."""
    root = mail_vault(make_vault, dovecot)
    dovecot.deliver(Message("INBOX", "jane@acme.com", "me@example.org", "Hi", at("2026-11-16")))
    command = [sys.executable, "-m", "vaultfollow", "watch", str(root), "--mail"]
    process = subprocess.Popen(
        [*command, "--debounce", "50ms", "--now", "2026-11-17T09:00"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(SRC)},
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr or []), daemon=True)
    reader.start()
    dashboard = root / "Follow-ups" / "Follow-ups.md"
    try:
        wait_for(
            lambda: any("mail: reply 2026-11-16 from jane@acme.com" in line for line in lines),
            "the mail line",
        )
        wait_for(
            lambda: "they responded" in dashboard.read_text(encoding="utf-8"),
            "the dashboard showing the check-in cancelled",
        )
    finally:
        process.terminate()
        code = process.wait(timeout=30)
        reader.join(timeout=10)
    assert code == 0, lines


def test_watch_mail_without_a_host_is_a_config_error(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": ACME})
    result = CliRunner().invoke(main, ["watch", str(root), "--mail"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "[mail] host is empty" in result.stderr


def test_the_password_reaches_no_log_even_at_debug(
    dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    fill(dovecot)
    caplog.set_level(logging.DEBUG)  # every logger, imapclient's protocol log included
    read_with(mail_settings(dovecot), SINCE)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "LOGIN" in logged or "login" in logged.lower()  # the protocol log was on
    assert PASSWORD not in logged


class _Introspection(http.server.BaseHTTPRequestHandler):
    """An OAuth2 token introspection endpoint (RFC 7662) that knows one token."""

    def do_GET(self) -> None:  # Dovecot's tokeninfo_url: ?token=...
        query = urllib.parse.urlsplit(self.path).query
        self._answer(urllib.parse.parse_qs(query).get("token") == [TOKEN])

    def do_POST(self) -> None:  # introspection_mode = post: token=...
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        self._answer(form.get("token") == [TOKEN])

    def _answer(self, active: bool) -> None:
        body = json.dumps({"active": active, "username": USER} if active else {"active": False})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


TOKEN = "ya29.fresh-access-token"


@pytest.fixture
def introspection() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Introspection)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/introspect"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_xoauth2_with_a_token_command(start_dovecot: StartDovecot, introspection: str) -> None:
    server = start_dovecot(introspection_url=introspection)
    fill(server)
    command = f"{sys.executable} -c \"print('{TOKEN}')\""
    settings = mail_settings(server, password_env="", oauth2_token_command=command)
    assert len(read_with(settings, SINCE).headers) == 2
    expired = f"{sys.executable} -c \"print('ya29.expired')\""
    with pytest.raises(MailAuthError, match="refused the login"):
        read_with(mail_settings(server, password_env="", oauth2_token_command=expired), SINCE)


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 in front of the server that drops the
    connection once the server has sent `limit` bytes: the server gone in
    the middle of a check, at a point fixed by the bytes, not by time."""

    def __init__(self, port: int, limit: int) -> None:
        self.target = port
        self.limit = limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            client, _ = self.listener.accept()
        except OSError:
            return
        server = socket.create_connection(("127.0.0.1", self.target))
        sent = 0
        with client, server:
            while sent <= self.limit:
                ready, _, _ = select.select([client, server], [], [], 30)
                if not ready:
                    break
                for one in ready:
                    data = one.recv(4096)
                    if not data:
                        return
                    (server if one is client else client).sendall(data)
                    if one is server:
                        sent += len(data)
        self.cut.set()

    def close(self) -> None:
        self.listener.close()
        self.thread.join(timeout=30)


def test_the_server_gone_in_the_middle_of_a_check_is_a_clear_error(
    make_vault: VaultFactory, dovecot: Dovecot
) -> None:
    for number in range(400):
        dovecot.deliver(
            Message(
                "INBOX",
                f"n{number}@news.test",
                "me@example.org",
                f"News {number}",
                at("2026-11-10"),
            )
        )
    root = mail_vault(make_vault, dovecot)
    before = vault_snapshot(root)
    proxy = CuttingProxy(dovecot.port, limit=20_000)  # login, LIST, EXAMINE: far less
    try:
        settings = mail_settings(dovecot, port=proxy.port)
        with pytest.raises(MailError) as caught:
            read_with(settings, SINCE)
    finally:
        proxy.close()
    assert proxy.cut.is_set()  # it was cut, not finished
    message = caught.value.message
    assert message.startswith(f"mail: the connection to 127.0.0.1:{proxy.port} failed")
    assert "FETCH" in message  # in the middle of reading the headers
    assert "\n" not in message
    assert vault_snapshot(root) == before


def test_idle_sees_a_reply_as_it_arrives(make_vault: VaultFactory, dovecot: Dovecot) -> None:
    """With a poll of an hour, only IMAP IDLE can bring the reply in."""
    root = mail_vault(make_vault, dovecot)
    settings = dataclasses.replace(load_settings(Vault(root)).mail, poll=dt.timedelta(hours=1))
    changed = threading.Event()
    now = dt.datetime(2026, 11, 17, 9, 0, tzinfo=BERLIN)
    worker = MailWorker(root, settings, lambda: now, changed.set)
    worker.start()
    try:
        assert worker.idling.wait(60), "the worker never went into IDLE"
        assert not changed.is_set()
        dovecot.deliver(
            Message("INBOX", "jane@acme.com", "me@example.org", "Next steps", at("2026-11-16"))
        )
        assert changed.wait(60), "IDLE did not bring the reply in"
    finally:
        worker.stop()
    assert worker.checks == 2  # at start, and when the reply came
    assert planned(root, "2026-11-17T09:00")[JANE_CHECK_IN].state is State.CANCELLED


def test_plain_text_to_this_machine(start_dovecot: StartDovecot) -> None:
    server = start_dovecot(plaintext=True)
    fill(server)
    assert len(read_with(mail_settings(server, ca_file=""), SINCE).headers) == 2


def test_mail_without_a_host_is_a_config_error(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": ACME})
    result = CliRunner().invoke(main, ["mail", str(root)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "[mail] host is empty" in result.stderr and "[mail] username is empty" in result.stderr
    assert not (root / ".vaultfollow" / "mail.json").exists()


TWO_ROUNDS = """
---
type: interview
company: Acme
role: Platform Engineer
status: waiting
interviews:
  - date: 2026-11-12T15:30
    interviewers: [Jane Doe <jane@acme.com>]
    round: 1
  - date: 2026-11-26T15:30
    interviewers: [Jane Doe <jane@acme.com>]
    round: 2
---
"""


def test_a_reply_after_a_later_round_counts_again(
    make_vault: VaultFactory, dovecot: Dovecot
) -> None:
    root = mail_vault(make_vault, dovecot)
    dovecot.deliver(Message("INBOX", "jane@acme.com", "me@example.org", "Hi", at("2026-11-16")))
    assert run_mail(root, "2026-11-17T09:00")[1].startswith("reply 2026-11-16 from jane@acme.com")
    (root / "Interviews" / "acme.md").write_text(TWO_ROUNDS.lstrip("\n"), encoding="utf-8")
    dovecot.deliver(
        Message("INBOX", "jane@acme.com", "me@example.org", "Dates?", at("2026-11-20"))
    )  # between the rounds: arranging the next one is no reply to it
    dovecot.deliver(Message("INBOX", "jane@acme.com", "me@example.org", "Offer?", at("2026-11-28")))
    assert run_mail(root, "2026-11-29T09:00")[1].startswith("reply 2026-11-28 from jane@acme.com")
    engine = open_engine(root)
    engine.read_all()
    plan, _ = engine.plan(dt.datetime(2026, 11, 29, 9, 0, tzinfo=BERLIN))
    assert [n.responded for n in plan.notes] == [dt.date(2026, 11, 28)]
    # The check-in after round 2 is cancelled before it was ever drafted.
    assert not list((root / "Follow-ups" / "Acme").glob("2026-11-26 check-in*"))
    assert all(f.state is not State.PENDING for f in plan.followups if f.kind is Kind.CHECK_IN)
