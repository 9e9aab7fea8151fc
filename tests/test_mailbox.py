"""The pure side of the mailbox: header fields in, matches out (no server)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from vaultfollow.core.draftfile import is_edited
from vaultfollow.core.mailbox import (
    MailState,
    Sighting,
    draft_subject,
    mark_draft_sent,
    parse_header,
    same_subject,
)
from vaultfollow.store.mailstate import dump_mail_state, parse_mail_state

ARRIVED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def header(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


def test_header_fields_are_read() -> None:
    read = parse_header(
        "INBOX",
        False,
        header(
            "From: Jane Doe <Jane@Acme.com>\nTo: me@example.org, Other <o@x.test>\n"
            "Cc: cc@acme.com\nDate: Fri, 20 Nov 2026 10:00:00 +0100\n"
            "Subject: =?utf-8?q?R=C3=BCckmeldung?=\n"
            "Message-ID: <m1@acme.com>\nIn-Reply-To: <s1@example.org>\n"
            "References: <s0@example.org> <s1@example.org>\n\n"
        ),
        ARRIVED,
    )
    assert read.sender == "jane@acme.com"
    assert read.recipients == ("me@example.org", "o@x.test", "cc@acme.com")
    assert read.moment == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert read.subject == "Rückmeldung" and read.message_id == "<m1@acme.com>"
    assert read.references == ("<s1@example.org>", "<s0@example.org>", "<s1@example.org>")
    assert not read.automatic


def test_a_missing_date_is_the_arrival() -> None:
    assert parse_header("INBOX", False, header("From: a@b.c\n\n"), ARRIVED).moment == ARRIVED
    bad = parse_header("INBOX", False, header("Date: someday\n\n"), ARRIVED)
    assert bad.moment == ARRIVED


def test_automatic_replies() -> None:
    def automatic(fields: str) -> bool:
        return parse_header("INBOX", False, header(fields + "\n\n"), ARRIVED).automatic

    assert automatic("Auto-Submitted: auto-replied")
    assert automatic("Auto-Submitted: auto-generated; comment")
    assert not automatic("Auto-Submitted: no")
    assert automatic("X-Autoreply: yes")
    assert automatic("Precedence: bulk") and automatic("Precedence: auto_reply")
    assert automatic("Subject: Out of office: back on Monday")
    assert automatic("Subject: Automatic reply: Thank you")
    assert automatic("Subject: Abwesenheitsnotiz")
    assert not automatic("Subject: Re: Thank you")


def test_same_subject_ignores_prefixes_and_case() -> None:
    assert same_subject("Re: RE: Fwd: Thank you  for today", "thank you for today")
    assert same_subject("AW: Danke", "Danke") and same_subject("Re[2]: Hi", "hi")
    assert not same_subject("Thank you", "Thank you, again")
    assert not same_subject("", "")


@given(st.binary(max_size=400))
def test_any_header_bytes_never_crash(raw: bytes) -> None:
    parse_header("INBOX", True, raw, ARRIVED)


DRAFT = """---
followup: thank-you
status: draft
sent:
to: "Jane Doe <jane@acme.com>"
subject: "Thank you for today"
followup_id: abc
"""


def signed(text: str) -> str:
    from vaultfollow.core.draftfile import HASH_KEY, digest

    head, body = text, "---\nDear Jane,\n"
    return f'{head}{HASH_KEY}: "{digest(head + body)}"\n{body}'


def test_an_unedited_draft_is_marked_sent_and_stays_vaultfollows() -> None:
    text = signed(DRAFT)
    assert not is_edited(text)
    marked = mark_draft_sent(text, date(2026, 11, 20))
    assert marked is not None
    assert "\nstatus: sent\nsent: 2026-11-20\n" in marked and not is_edited(marked)
    assert draft_subject(marked) == "Thank you for today"


def test_an_edited_draft_is_not_marked() -> None:
    assert mark_draft_sent(signed(DRAFT) + "my words\n", date(2026, 11, 20)) is None


def test_the_state_round_trips_and_merges_to_the_earlier() -> None:
    one = MailState(sent={"f1": Sighting(date(2026, 11, 20), "jane@acme.com", "h1")})
    other = MailState(
        sent={"f1": Sighting(date(2026, 11, 19), "jane@acme.com", "h0")},
        replied={"a1": Sighting(date(2026, 11, 25), "hr@acme.com", "h2")},
    )
    assert parse_mail_state(dump_mail_state(one)) == one
    merged = one.merged(other)
    assert merged == other.merged(one)
    assert merged.sent["f1"].day == date(2026, 11, 19) and "a1" in merged.replied
