"""The mailbox (issue 19) against a real Dovecot IMAP server on 127.0.0.1
(see mail_server.py): read-only, headers only, nothing else kept."""

from __future__ import annotations

import datetime as dt
import shutil
import ssl
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import imapclient
import pytest

from mail_server import PASSWORD, USER, Dovecot, Message
from vaultfollow.core.config import MailSettings
from vaultfollow.mail import MailAuthError, MailError, read_with

UTC = dt.UTC


StartDovecot = Callable[..., Dovecot]


@pytest.fixture
def start_dovecot() -> Iterator[StartDovecot]:
    """Start Dovecot servers (options as `Dovecot` takes them); all are
    stopped by their pid at the end."""
    started: list[tuple[Dovecot, Path]] = []

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
        "tls": "starttls" if server.starttls else "implicit",
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
