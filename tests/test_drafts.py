"""Drafts: templates render, front matter round-trips, edits and marks are read back."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from vaultfollow.core.config import ScheduleSettings, Settings, You
from vaultfollow.core.draftfile import fresh_record, is_edited, read_draft
from vaultfollow.core.drafts import (
    DEFAULT_TEMPLATE_NAMES,
    Templates,
    and_join,
    render_draft,
    template_name,
)
from vaultfollow.core.model import FollowUp, InterviewNote, Kind, Person, Round, State
from vaultfollow.core.prose import address, clean_point, one_line
from vaultfollow.errors import TemplateError

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 12, 15, 30, tzinfo=BERLIN)
DISCUSSED = (
    "How the team is migrating the monolith to Kubernetes.",
    "Their internal developer platform",
)
CLARIFY = (
    "My answer on Kafka partitioning was rushed. "
    "I should have said that I rebalanced 40 partitions without downtime.",
)

# --- factories --------------------------------------------------------------------


def person(name: str = "Jane Doe", email: str | None = "jane@acme.com", **kw: Any) -> Person:
    return Person(name=name, email=email, **kw)


def note(**kw: Any) -> InterviewNote:
    values: dict[str, Any] = {
        "path": "Interviews/2026-11-12 Acme.md",
        "company": "Acme",
        "role": "Platform Engineer",
        "rounds": (Round(START, START + timedelta(hours=1), (person(),)),),
        "discussed": DISCUSSED,
        "clarify": CLARIFY,
        "phone": "+49 30 1234",
        "address": "Acme GmbH\nMain St 1\n10115 Berlin",
    }
    values.update(kw)
    return InterviewNote(**values)


def followup(
    kind: Kind = Kind.THANK_YOU,
    channel: str = "email",
    tone: str = "formal",
    **kw: Any,
) -> FollowUp:
    the_note = kw.pop("note", None) or note()
    values: dict[str, Any] = {
        "id": f"acme|2026-11-12|{kind.value}|jane doe",
        "event_id": f"acme|2026-11-12|{kind.value}",
        "kind": kind,
        "state": State.PENDING,
        "application": the_note.application_key,
        "company": the_note.company,
        "role": the_note.role,
        "round_start": START,
        "round_label": None,
        "recipient": person(),
        "channel": channel,
        "tone": tone,
        "do": datetime(2026, 11, 12, 18, 30, tzinfo=BERLIN),
        "deadline": datetime(2026, 11, 13, 15, 30, tzinfo=BERLIN),
        "source": the_note.path,
        "draft_path": "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md",
        "note": the_note,
    }
    values.update(kw)
    return FollowUp(**values)


def settings(**you: str) -> Settings:
    fields = {"name": "Alex Example", "email": "alex@example.com", "phone": "+49 170 555"}
    fields.update(you)
    return Settings(you=You(**fields), schedule=ScheduleSettings(timezone="Europe/Berlin"))


def feedback_settings() -> Settings:
    base = settings()
    return replace(base, schedule=replace(base.schedule, ask_feedback=True))


def split(text: str) -> tuple[dict[str, Any], str]:
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data, body


def words(text: str) -> int:
    return len(text.split())


# --- every template, every kind --------------------------------------------------

CASES = [
    pytest.param(Kind.THANK_YOU, "email", "formal", 200, id="thank-you-formal"),
    pytest.param(Kind.THANK_YOU, "email", "casual", 200, id="thank-you-casual"),
    pytest.param(Kind.CHECK_IN, "email", "formal", 150, id="check-in-formal"),
    pytest.param(Kind.CHECK_IN, "email", "casual", 150, id="check-in-casual"),
    pytest.param(Kind.CHECK_IN, "phone", "formal", 150, id="check-in-phone"),
    pytest.param(Kind.SECOND_CHECK_IN, "email", "formal", 150, id="second-check-in-formal"),
    pytest.param(Kind.SECOND_CHECK_IN, "email", "casual", 150, id="second-check-in-casual"),
    pytest.param(Kind.SECOND_CHECK_IN, "phone", "casual", 150, id="second-check-in-phone"),
    pytest.param(Kind.STAY_CONNECTED, "email", "formal", 120, id="stay-connected-formal"),
    pytest.param(Kind.STAY_CONNECTED, "email", "casual", 120, id="stay-connected-casual"),
    pytest.param(Kind.HANDWRITTEN_NOTE, "post", "formal", 80, id="handwritten-formal"),
    pytest.param(Kind.HANDWRITTEN_NOTE, "post", "casual", 80, id="handwritten-casual"),
]

VARIANT_IDS = [f"acme|2026-11-12|x|person {n}" for n in range(12)]


@pytest.mark.parametrize(("kind", "channel", "tone", "limit"), CASES)
@pytest.mark.parametrize("fid", VARIANT_IDS[:6])
def test_every_template_renders_a_complete_message(
    kind: Kind, channel: str, tone: str, limit: int, fid: str
) -> None:
    for the_settings in (settings(), feedback_settings()):
        text = render_draft(followup(kind, channel, tone, id=fid), the_settings, Templates({}))
        data, body = split(text)
        message = data["subject"] + "\n" + body
        assert "Acme" in body
        assert "Platform Engineer" in body
        assert "Jane" in body
        if tone == "formal" and channel == "email":
            assert "Dear Jane," in body
        for bad in ("{{", "}}", "{%", "%}", "[", "]", "{", "}", "None", "  "):
            assert bad not in message, bad
        assert words(body) < limit
        assert body.endswith("\n") and not body.endswith("\n\n")
        assert "\n\n\n" not in body
        assert "salary" not in body.lower() and "benefit" not in body.lower()
        if channel != "phone":
            assert "Alex Example" in body
        if kind is Kind.THANK_YOU:
            assert "how the team is migrating the monolith to Kubernetes" in body
        if kind is Kind.HANDWRITTEN_NOTE:  # the email makes both points: none is repeated
            assert "internal developer platform" not in body
            assert "monolith" not in body
        if kind is Kind.THANK_YOU:
            assert "I rebalanced 40 partitions without downtime." in body
            assert "rushed" not in body
            assert "next steps" in body
        if kind is Kind.HANDWRITTEN_NOTE:
            card = body.split("\n\n")[1]
            assert 3 <= len(re.findall(r"[.!?](?:\s|$)", card)) <= 5


@pytest.mark.parametrize(("kind", "channel", "tone", "limit"), CASES)
def test_every_template_reads_well_with_an_empty_note_and_no_name(
    kind: Kind, channel: str, tone: str, limit: int
) -> None:
    empty = note(discussed=(), clarify=(), phone=None)
    text = render_draft(
        followup(kind, channel, tone, note=empty),
        settings(name="", email="", phone=""),
        Templates({}),
    )
    data, body = split(text)
    for bad in ("{{", "{%", "[", "]", "None", "  ", "Your Name", "your name"):
        assert bad not in data["subject"] + body, bad
    assert words(body) < limit
    # Signed off with no name under it, rather than a placeholder.
    if channel == "email":
        assert body.rstrip().splitlines()[-1].endswith(",")


@pytest.mark.parametrize("tone", ["formal", "casual"])
def test_the_card_names_a_point_the_email_leaves_out(tone: str) -> None:
    three = note(discussed=(*DISCUSSED, "the on-call rota, follow-the-sun w/ Dublin"))
    _, email = split(render_draft(followup(tone=tone, note=three), settings(), Templates({})))
    card_followup = followup(Kind.HANDWRITTEN_NOTE, "post", tone, note=three)
    _, card = split(render_draft(card_followup, settings(), Templates({})))
    assert "on-call rota" not in email
    assert "the on-call rota" in card  # the aside after its comma is a note to self
    assert "monolith" not in card and "developer platform" not in card


def test_thank_you_weaves_both_points_into_sentences_and_the_clarification() -> None:
    for fid in VARIANT_IDS[:4]:
        _, body = split(render_draft(followup(id=fid), settings(), Templates({})))
        assert "how the team is migrating the monolith to Kubernetes." in body
        # The company's "their" is said to the interviewer as "your".
        assert "your internal developer platform" in body
        assert "- " not in body.replace(" - ", "")  # no bullet list
        assert body.count("I rebalanced 40 partitions without downtime.") == 1
        assert "rushed" not in body


def test_stay_connected_asks_for_feedback_only_when_configured() -> None:
    fu = followup(Kind.STAY_CONNECTED)
    without = split(render_draft(fu, settings(), Templates({})))[1]
    with_ = split(render_draft(fu, feedback_settings(), Templates({})))[1]
    assert "feedback" not in without
    assert "feedback" in with_
    assert "respect" in without and "in touch" in without


def test_openings_vary_between_follow_ups() -> None:
    openings = set()
    for fid in VARIANT_IDS:
        body = split(render_draft(followup(id=fid), settings(), Templates({})))[1]
        openings.add(body.split("\n\n")[1].split(".")[0])
    assert len(openings) >= 2


def test_second_check_in_mentions_the_first_when_known() -> None:
    fu = followup(Kind.SECOND_CHECK_IN)
    body = split(render_draft(fu, settings(), Templates({}), sent_check_in=date(2026, 11, 19)))[1]
    assert "Thursday, 19 November" in body
    assert "last" not in body  # it never announces itself as the last


def test_signature_config() -> None:
    fu = followup()
    body = split(render_draft(fu, settings(signature="Alex Example\nBerlin"), Templates({})))[1]
    assert body.endswith("Kind regards,\nAlex Example\nBerlin\n")
    body = split(render_draft(fu, settings(signature="Platform engineer"), Templates({})))[1]
    assert body.endswith("Kind regards,\nAlex Example\nPlatform engineer\n")
    body = split(render_draft(fu, settings(), Templates({})))[1]
    assert body.endswith("Alex Example\nalex@example.com\n+49 170 555\n")
    casual = split(render_draft(followup(tone="casual"), settings(), Templates({})))[1]
    assert casual.endswith("Best,\nAlex Example\n")


# --- template names -----------------------------------------------------------------


def test_template_names() -> None:
    assert template_name(followup()) == "thank-you-formal.md"
    assert template_name(followup(tone="casual")) == "thank-you-casual.md"
    assert template_name(followup(Kind.CHECK_IN, "phone")) == "phone-script.md"
    assert template_name(followup(Kind.SECOND_CHECK_IN, "phone")) == "phone-script.md"
    assert template_name(followup(Kind.SECOND_CHECK_IN, tone="casual")) == (
        "second-check-in-casual.md"
    )
    assert template_name(followup(Kind.HANDWRITTEN_NOTE, "post")) == "handwritten-note.md"
    every = {
        template_name(followup(kind, channel, tone))
        for kind in Kind
        for channel in ("email", "phone")
        for tone in ("formal", "casual")
    }
    assert every == set(DEFAULT_TEMPLATE_NAMES)


# --- front matter ---------------------------------------------------------------------


def test_email_front_matter_round_trips_with_exact_keys_and_values() -> None:
    text = render_draft(followup(), settings(), Templates({}))
    data, body = split(text)
    assert list(data) == [
        "followup",
        "status",
        "sent",
        "to",
        "subject",
        "do",
        "deadline",
        "source",
        "company",
        "role",
        "channel",
        "compose",
        "followup_id",
        "vaultfollow_hash",
    ]
    assert data["followup"] == "thank-you"
    assert data["status"] == "draft"
    assert data["sent"] is None
    assert data["to"] == "Jane Doe <jane@acme.com>"
    assert data["subject"] == "Thank you for the interview - Alex Example"
    assert data["do"] == datetime(2026, 11, 12, 18, 30)
    assert data["deadline"] == datetime(2026, 11, 13, 15, 30)
    assert data["source"] == "[[Interviews/2026-11-12 Acme]]"
    assert data["company"] == "Acme"
    assert data["role"] == "Platform Engineer"
    assert data["channel"] == "email"
    assert data["followup_id"] == "acme|2026-11-12|thank-you|jane doe"
    assert re.fullmatch(r"[0-9a-f]{16}", data["vaultfollow_hash"])
    assert "do: 2026-11-12T18:30:00\n" in text
    assert "Thank you for the interview" not in body


def test_phone_and_post_front_matter() -> None:
    phone, _ = split(render_draft(followup(Kind.CHECK_IN, "phone"), settings(), Templates({})))
    assert phone["to"] == "Jane Doe"
    assert phone["phone"] == "+49 30 1234"
    assert phone["compose"] == "tel:+49301234"
    assert "address" not in phone

    unknown = followup(Kind.CHECK_IN, "phone", note=note(phone=None))
    no_number, body = split(render_draft(unknown, settings(), Templates({})))
    assert "phone" not in no_number and "compose" not in no_number
    assert body.startswith("Call Jane Doe.\n")

    post, _ = split(
        render_draft(followup(Kind.HANDWRITTEN_NOTE, "post"), settings(), Templates({}))
    )
    assert post["address"] == "Acme GmbH\nMain St 1\n10115 Berlin"
    assert "compose" not in post and "phone" not in post
    assert post["to"] == "Jane Doe"


def test_mailto_decodes_to_subject_and_body() -> None:
    fu = followup(recipient=person(email="jane+jobs@acme.com"))
    data, body = split(render_draft(fu, settings(), Templates({})))
    link = urlsplit(data["compose"])
    assert link.scheme == "mailto"
    assert unquote(link.path) == "jane+jobs@acme.com"
    query = parse_qs(link.query, keep_blank_values=True)
    assert query["subject"] == [data["subject"]]
    assert query["body"] == [body.rstrip("\n").replace("\n", "\r\n")]
    assert "%0D%0A" in data["compose"] and "\n" not in data["compose"]


def test_mailto_without_an_address() -> None:
    data, _ = split(render_draft(followup(recipient=person(email=None)), settings(), Templates({})))
    assert data["to"] == "Jane Doe"
    assert data["compose"].startswith("mailto:?subject=Thank%20you")


MALICIOUS = 'Evil: "Corp" # \n---\nstatus: sent\r\nsent: 2026-01-01\u2028x: y\x85z\x7f'


def test_hostile_values_cannot_inject_properties() -> None:
    fu = followup(
        company=MALICIOUS,
        role="'yes' [x]: {a: b}",
        recipient=person(name='Jane: "Doe"\n---\nstatus: skipped', email="x@y.z?bcc=evil@z"),
        id="yes",
    )
    text = render_draft(fu, settings(), Templates({}))
    data, _ = split(text)
    assert text.count("\n---\n") == 1
    assert data["status"] == "draft"
    assert data["sent"] is None
    assert data["company"] == MALICIOUS
    assert data["role"] == "'yes' [x]: {a: b}"
    assert data["followup_id"] == "yes"
    assert "\n" not in data["to"] and "\n" not in data["subject"]
    assert "bcc" not in parse_qs(urlsplit(data["compose"]).query)
    record, problems = read_draft("d.md", text)
    assert record is not None and record.status == "draft" and not record.edited
    assert problems == []


@hsettings(max_examples=150, deadline=None)
@given(company=st.text(), name=st.text(min_size=1), fid=st.text(min_size=1))
def test_any_text_round_trips_through_the_front_matter(company: str, name: str, fid: str) -> None:
    fu = followup(company=company, recipient=person(name=name), id=fid)
    text = render_draft(fu, settings(), Templates({}))
    data, _ = split(text)
    assert data["company"] == company
    assert data["followup_id"] == fid
    assert data["status"] == "draft"
    assert len(data) == 14
    assert not is_edited(text)


# --- determinism and edits ------------------------------------------------------------


def test_render_is_deterministic() -> None:
    first = render_draft(followup(), settings(), Templates({}))
    again = render_draft(followup(), settings(), Templates({}))
    assert first == again
    assert first.endswith("\n") and not first.endswith("\n\n")
    assert "\r" not in first


def test_is_edited_false_on_fresh_output_true_after_any_one_character_change() -> None:
    text = render_draft(followup(), settings(), Templates({}))
    assert not is_edited(text)
    for index, char in enumerate(text):
        changed = text[:index] + ("x" if char != "x" else "y") + text[index + 1 :]
        assert is_edited(changed), index
        assert is_edited(text[:index] + text[index + 1 :]), index
    assert is_edited(text + "\n")
    assert is_edited(text.replace("\n", "\r\n"))


def test_is_edited_without_a_hash() -> None:
    text = render_draft(followup(), settings(), Templates({}))
    stripped = re.sub(r"vaultfollow_hash: .*\n", "", text)
    assert is_edited(stripped)
    assert is_edited("no front matter\n")


# --- reading drafts back ----------------------------------------------------------------


def fresh() -> str:
    return render_draft(followup(), settings(), Templates({}))


def test_read_fresh_draft() -> None:
    record, problems = read_draft("Follow-ups/a.md", fresh())
    assert problems == []
    assert record is not None
    assert record.path == "Follow-ups/a.md"
    assert record.followup_id == "acme|2026-11-12|thank-you|jane doe"
    assert record.status == "draft"
    assert record.sent is None
    assert record.edited is False
    assert record.line_of_status == 3


@pytest.mark.parametrize(
    ("status", "sent", "expected_status", "expected_sent"),
    [
        ("sent", "", "sent", None),
        ("Sent", "2026-11-13", "sent", date(2026, 11, 13)),
        ("DONE", "", "sent", None),
        ("skipped", "", "skipped", None),
        ("draft", "2026-11-13", "sent", date(2026, 11, 13)),
        ("draft", '"2026-11-13"', "sent", date(2026, 11, 13)),
        ("draft", "2026-11-13T10:15:00", "sent", date(2026, 11, 13)),
        ("", "2026-11-13", "sent", date(2026, 11, 13)),
        ("draft", "", "draft", None),
    ],
)
def test_read_marks(
    status: str, sent: str, expected_status: str, expected_sent: date | None
) -> None:
    text = (
        fresh()
        .replace("status: draft\n", f"status: {status}\n")
        .replace("sent:\n", f"sent: {sent}\n")
    )
    record, problems = read_draft("a.md", text)
    assert problems == []
    assert record is not None
    assert record.status == expected_status
    assert record.sent == expected_sent
    assert record.edited


def test_unknown_status_is_a_problem_and_counts_as_draft() -> None:
    text = (
        fresh()
        .replace("status: draft\n", "status: posted\n")
        .replace("sent:\n", "sent: 2026-11-13\n")
    )
    record, problems = read_draft("a.md", text)
    assert record is not None and record.status == "draft"
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.path, problem.line, problem.key) == ("a.md", 3, "status")
    assert "posted" in problem.message and "sent" in problem.message


def test_unreadable_sent_is_a_problem() -> None:
    text = fresh().replace("sent:\n", "sent: last tuesday\n")
    record, problems = read_draft("a.md", text)
    assert record is not None and record.status == "draft" and record.sent is None
    assert [(p.line, p.key) for p in problems] == [(4, "sent")]
    assert "2026-11-19" in problems[0].message

    text = fresh().replace("status: draft\n", "status: sent\n").replace("sent:\n", "sent: soon\n")
    record, problems = read_draft("a.md", text)
    assert record is not None and record.status == "sent" and record.sent is None
    assert len(problems) == 1


def test_bad_yaml_keeps_the_draft_as_edited() -> None:
    text = fresh().replace("status: draft\n", 'status: "unterminated\n')
    record, problems = read_draft("a.md", text)
    assert record is not None
    assert record.edited is True
    assert record.status == "draft"
    assert record.followup_id == "acme|2026-11-12|thank-you|jane doe"
    assert len(problems) == 1 and problems[0].line is not None


def test_unclosed_front_matter_with_followup_is_a_problem() -> None:
    record, problems = read_draft("a.md", "---\nfollowup: thank-you\nstatus: sent\n")
    assert record is not None and record.edited and record.status == "draft"
    assert len(problems) == 1


@pytest.mark.parametrize(
    "text",
    [
        "# Just a note\n",
        "---\ntitle: x\n---\nbody\n",
        "---\ntitle: [unclosed\n---\nbody\n",
        "---\n- a list\n---\n",
    ],
)
def test_files_that_are_not_drafts(text: str) -> None:
    assert read_draft("Follow-ups/notes.md", text) == (None, [])


# --- overrides and template errors ----------------------------------------------------------


def test_override_replaces_the_default_and_unknown_names_are_ignored() -> None:
    templates = Templates(
        {
            "thank-you-formal.md": (
                "Subject: Hi from {{ company }}\n\nHello {{ recipient.name }}!\n"
            ),
            "not-a-template.md": "{{ broken",
        }
    )
    data, body = split(render_draft(followup(), settings(), templates))
    assert data["subject"] == "Hi from Acme"
    assert body == "Hello Jane Doe!\n"
    # Other names still use the defaults.
    _, casual = split(render_draft(followup(tone="casual"), settings(), templates))
    assert casual.startswith("Hi Jane,")


def test_override_without_subject_line() -> None:
    templates = Templates({"check-in-formal.md": "Just a body, {{ points | and_join }}.\n"})
    data, body = split(render_draft(followup(Kind.CHECK_IN), settings(), templates))
    assert data["subject"] == ""
    assert body.startswith("Just a body, how the team")


def test_syntax_error_names_the_vault_path_and_line() -> None:
    templates = Templates(
        {"thank-you-formal.md": "Subject: x\n\nDear {{ recipient.name }},\n{% if points %}\n"},
        override_folder="My Templates/vf",
    )
    with pytest.raises(TemplateError) as info:
        render_draft(followup(), settings(), templates)
    message = str(info.value)
    assert "My Templates/vf/thank-you-formal.md" in message
    assert re.search(r"line [45]\b", message)


def test_undefined_variable_names_the_vault_path_and_line() -> None:
    templates = Templates(
        {"thank-you-formal.md": "Subject: x\n\nDear {{ recipient.name }},\n\n{{ intervewer }}\n"}
    )
    with pytest.raises(TemplateError) as info:
        render_draft(followup(), settings(), templates)
    message = str(info.value)
    assert "Templates/vaultfollow/thank-you-formal.md, line 5" in message
    assert "intervewer" in message and "interview_date" in message


def test_undefined_attribute_is_an_error_too() -> None:
    templates = Templates({"thank-you-formal.md": "Subject: x\n\n{{ recipient.nickname }}\n"})
    with pytest.raises(TemplateError, match=r"thank-you-formal.md, line 3"):
        render_draft(followup(), settings(), templates)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ recipient.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ 'x' * 1000000000 }}",
        "{{ 2 ** 1000000000 }}",
        "{{ points.append('x') }}",
    ],
)
def test_sandbox_blocks_unsafe_templates(source: str) -> None:
    templates = Templates({"thank-you-formal.md": f"Subject: x\n\n{source}\n"})
    with pytest.raises(TemplateError, match=r"Templates/vaultfollow/thank-you-formal.md"):
        render_draft(followup(), settings(), templates)


def test_error_in_a_default_is_named_built_in() -> None:
    templates = Templates({})
    with pytest.raises(TemplateError, match=r"built-in thank-you-formal.md"):
        templates.render("thank-you-formal.md", {})


# --- points ----------------------------------------------------------------------------


def format_points(discussed: list[str], recipient: str = "") -> list[str]:
    """Up to two points as a thank-you words them: cleaned, shortened at a
    clause, said to `recipient` (what `items` does with each point)."""
    points: list[str] = []
    for text in discussed:
        point = address(clean_point(text, 16, cut_at_clause=True), recipient)
        if point and point not in points:
            points.append(point)
    return points[:2]


def test_format_points_cleans_and_shortens() -> None:
    long = (
        "The way the platform team plans capacity for the busy season and the tooling "
        "they built around forecasting and the on-call rotation for it."
    )
    points = format_points(
        [
            "- **Scaling** the [[Projects/Search|search]] cluster.",
            "[x] [Roadmap](https://example.com) for 2027!",
            long,
            "ignored third point",
        ]
    )
    assert points[0] == "scaling the search cluster"
    assert points[1] == "roadmap for 2027"
    assert len(points) == 2
    shortened = format_points([long])[0]
    assert len(shortened.split()) <= 18
    assert shortened.split()[-1] not in {"and", "the", "for", "of", "to", "around"}
    assert not shortened.endswith((".", ",", "!"))
    assert format_points(["Kubernetes migration."]) == ["Kubernetes migration"]
    assert format_points(["", "  ", "API design"]) == ["API design"]


def test_emphasis_inside_words_is_kept() -> None:
    assert format_points(["the snake_case_names in *their* API"]) == [
        "the snake_case_names in your API"
    ]


@pytest.mark.parametrize("tone", ["formal", "casual"])
def test_thank_you_stays_under_200_words_with_the_longest_points(tone: str) -> None:
    long = " ".join(f"word{n}" for n in range(40))
    full = note(discussed=(long, long + " more"), clarify=(long,))
    the_settings = settings(signature="Alex Example\nSenior Engineer\nBerlin\nalex@example.com")
    body = split(render_draft(followup(tone=tone, note=full), the_settings, Templates({})))[1]
    assert words(body) < 200


def test_templates_compile_lazily() -> None:
    templates = Templates({"check-in-formal.md": "{% if %}"})
    render_draft(followup(), settings(), templates)  # thank-you: fine
    with pytest.raises(TemplateError, match=r"check-in-formal\.md, line 1"):
        render_draft(followup(Kind.CHECK_IN), settings(), templates)


def test_a_byte_order_mark_counts_as_an_edit() -> None:
    record, _ = read_draft("a.md", "\ufeff" + fresh())
    assert record is not None and record.edited and record.status == "draft"


def test_and_join() -> None:
    assert and_join([]) == ""
    assert and_join(["a"]) == "a"
    assert and_join(["a", "b"]) == "a and b"
    assert and_join(["a", "b", "c"]) == "a, b and c"
    assert and_join(["a", "b"], "or") == "a or b"


# --- prose: note-to-self text said to the recipient ---------------------------------


def test_long_points_end_at_their_first_clause_break() -> None:
    assert format_points(
        [
            "Cutting dock-to-stock time at the Rotterdam hub, which Grace wants under four "
            "hours by next summer.",
            "The shift-planning tool I introduced at my current job and how we got the night "
            "shift to trust it.",
        ]
    ) == [
        "cutting dock-to-stock time at the Rotterdam hub",
        "the shift-planning tool I introduced at my current job",
    ]


def test_points_speak_to_the_recipient() -> None:
    points = ["Tomasz's question about partitioning", "How they replay events"]
    assert format_points(points, "Tomasz Kowalczyk") == [
        "your question about partitioning",
        "how you replay events",
    ]
    assert format_points(points, "Priya Raman")[0] == "Tomasz's question about partitioning"
    assert format_points(["The redesign of their booking flow"]) == [
        "the redesign of your booking flow"
    ]


@given(
    kind=st.sampled_from(list(Kind)),
    channel=st.sampled_from(["email", "phone", "post"]),
    tone=st.sampled_from(["formal", "casual"]),
    fid=st.text(min_size=1, max_size=40).filter(lambda t: t.strip() == t and t.strip()),
    company=st.text(min_size=1, max_size=30).filter(str.strip),
)
@hsettings(max_examples=60)
def test_a_fresh_draft_reads_back_as_its_fresh_record(
    kind: Kind, channel: str, tone: str, fid: str, company: str
) -> None:
    # What lets the engine skip parsing the drafts it has just written.
    fu = followup(kind, channel, tone, id=fid, company=company)
    text = render_draft(fu, settings(), Templates({}))
    assert read_draft(fu.draft_path, text) == (fresh_record(fu.draft_path, fid), [])


@given(st.text())
@hsettings(max_examples=300)
def test_one_line_turns_breaks_controls_and_runs_of_spaces_into_one_space(text: str) -> None:
    controls = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text)
    assert one_line(text) == re.sub(r"\s+", " ", controls).strip()


@pytest.mark.parametrize(("kind", "channel", "tone", "limit"), CASES)
def test_every_wording_of_every_template_passes_check(
    kind: Kind, channel: str, tone: str, limit: int
) -> None:
    """Each kind and tone has several wordings (by `variant`); every one of
    them is a draft `check` finds nothing in, and they are not all one."""
    from vaultfollow.core.lint import lint_draft

    bodies = set()
    for fid in VARIANT_IDS:
        fu = followup(kind, channel, tone, id=fid)
        text = render_draft(fu, settings(), Templates({}))
        findings = lint_draft(fu.draft_path, text, settings(), fu)
        assert findings == [], (fid, findings)
        bodies.add(split(text)[1].split("\n", 2)[2])  # after the greeting
    assert len(bodies) >= 2
