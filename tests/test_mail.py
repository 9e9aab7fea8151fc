"""The mailbox (issue 19) against a real Dovecot IMAP server on 127.0.0.1
(see mail_server.py): read-only, headers only, nothing else kept."""

from __future__ import annotations

import datetime as dt
import shutil
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path

import imapclient
import pytest

from mail_server import PASSWORD, USER, Dovecot, Message

UTC = dt.UTC


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    # Not under tmp_path: as root, the mail user must reach the Maildir, and
    # pytest's folders are open to their owner only.
    folder = Path(tempfile.mkdtemp(prefix="vaultfollow-imap-"))
    server = Dovecot(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


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
