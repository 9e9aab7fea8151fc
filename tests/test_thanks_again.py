"""A check-in says "thanks again" only when the reader was thanked already
(issue 17, points 5 and 6): their thank-you for the round was marked sent.
Else it thanks them once, plainly; `check` says so of a draft that does not
(`thanks-again`)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import VaultFactory, at
from test_drafts import followup, person, settings
from test_reader_checks import letter
from vaultfollow.app.engine import sync
from vaultfollow.core.drafts import Templates, render_draft, variant_of
from vaultfollow.core.lint import lint_draft
from vaultfollow.core.model import Kind

AGAIN = re.compile(r"\b(?:again|once more|once again)\b", re.IGNORECASE)

NOTE = """\
---
type: interview
company: Tidewater Logistics
role: Operations Manager
date: 2026-11-10T10:00
tone: {tone}
interviewers:
  - Grace Mbeki <grace@tidewater.example>
  - Olu Bello <olu@tidewater.example>
contact: {contact}
---
## Discussed
- Grace walked me through their cross-dock rebuild
"""


def _body(path: Path) -> str:
    return path.read_text("utf-8").split("\n---\n", 1)[1]


def _mark_sent(path: Path) -> None:
    text = path.read_text("utf-8")
    path.write_text(text.replace("status: draft", "status: sent", 1), "utf-8")


def _check_in(root: Path) -> Path:
    (found,) = (root / "Follow-ups").rglob("* check-in - *.md")
    return found


@pytest.mark.parametrize("tone", ["formal", "casual"])
@pytest.mark.parametrize("contact_name", ["Grace Mbeki", "Olu Bello"])
def test_a_check_in_thanks_again_only_after_the_thank_you_was_sent(
    make_vault: VaultFactory, tone: str, contact_name: str
) -> None:
    contact = f"{contact_name} <{contact_name.split()[0].lower()}@tidewater.example>"
    root = make_vault(
        {"Interviews/2026-11-10 Tidewater.md": NOTE.format(tone=tone, contact=contact)}
    )
    sync(root, at("2026-11-10 18:00"))
    check_in = _check_in(root)
    first = _body(check_in)
    assert "thank" in first.casefold()
    assert not AGAIN.search(first), first
    (thank_you,) = (root / "Follow-ups").rglob(f"* thank-you - {contact_name}.md")
    _mark_sent(thank_you)
    sync(root, at("2026-11-11 09:00"))
    assert AGAIN.search(_body(check_in)), _body(check_in)


def test_a_recruiter_not_in_the_room_is_thanked_once(make_vault: VaultFactory) -> None:
    note = NOTE.format(tone="casual", contact="Kwame Mensah <kwame@tidewater.example>")
    root = make_vault({"Interviews/2026-11-10 Tidewater.md": note})
    sync(root, at("2026-11-10 18:00"))
    for thank_you in (root / "Follow-ups").rglob("* thank-you - *.md"):
        _mark_sent(thank_you)  # the panel was thanked; the recruiter was not
    sync(root, at("2026-11-11 09:00"))
    body = _body(_check_in(root))
    assert "Thanks for setting it up!" in body and not AGAIN.search(body), body


@pytest.mark.parametrize("variant", range(3))
@pytest.mark.parametrize("tone", ["formal", "casual"])
@pytest.mark.parametrize("channel", ["email", "phone"])
def test_every_opening_reads_right_either_way(variant: int, tone: str, channel: str) -> None:
    templates = Templates({})
    for n in range(60):
        fu = followup(Kind.CHECK_IN, channel=channel, tone=tone, id=f"acme|check-in|{n}")
        if variant_of(fu.id) % 3 == variant:
            break
    plain = render_draft(fu, settings(), templates).split("\n---\n", 1)[1]
    again = render_draft(replace(fu, thanked=True), settings(), templates).split("\n---\n", 1)[1]
    assert not AGAIN.search(plain), plain
    assert AGAIN.search(again), again
    assert "thank" in plain.casefold()


# --- check: thanks-again ---------------------------------------------------------------

CHECK_IN = """
Dear Jane,

I hope you are well. Thank you again for our conversation about the Platform Engineer
position on Thursday, 12 November. Is there any news on the next steps?

Kind regards,
Sam Porter
"""


def _found(text: str, thanked: bool) -> list[str]:
    fu = replace(followup(Kind.CHECK_IN, recipient=person("Jane Doe")), thanked=thanked)
    hits = lint_draft("d.md", letter(text, kind="check-in"), settings(name="Sam Porter"), fu)
    return [f.message for f in hits if f.code == "thanks-again"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Thank you again for our conversation",
        "Thanks again for our chat",
        "I would like to thank you once more for meeting with me",
        "Thanks so much once again for your time",
    ],
)
def test_thanks_again_when_no_thank_you_was_sent(sentence: str) -> None:
    text = CHECK_IN.replace("Thank you again for our conversation", sentence)
    (message,) = _found(text, thanked=False)
    assert "no thank-you to Jane Doe was sent" in message and "“" in message
    assert _found(text, thanked=True) == []


def test_a_plain_thanks_is_no_finding() -> None:
    text = CHECK_IN.replace("Thank you again for", "Thank you for")
    assert _found(text, thanked=False) == []
    text = CHECK_IN.replace("Thank you again for", "Thank you for") + "\nI hope to meet again.\n"
    assert _found(text, thanked=False) == []
