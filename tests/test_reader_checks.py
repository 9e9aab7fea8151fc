"""`vaultfollow check` reads a draft as its recipient would (issue 17 point
7): the wrong name, a colleague's copy, an admission with nothing added,
fragments, note shorthand, a stale day, a conversation that never was, the
demo's identity. Each finding on drafts written as a person would write them,
good and bad, and end to end through `vaultfollow check` on a real vault."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from test_drafts import START, followup, note, person, settings
from vaultfollow.app.starter import DEMO_SIGNER
from vaultfollow.cli import main
from vaultfollow.core import reader_checks
from vaultfollow.core.lint import Finding, lint_draft
from vaultfollow.core.model import FollowUp, Kind, Round

BERLIN = ZoneInfo("Europe/Berlin")

HEAD = """---
followup: {kind}
status: draft
sent:
to: "{to}"
subject: "{subject}"
do: {do}
company: "Acme"
role: "Platform Engineer"
channel: email
---
"""


def letter(
    body: str,
    *,
    kind: str = "thank-you",
    to: str = "Jane Doe <jane@acme.com>",
    subject: str = "Thank you - Sam Porter",
    do: str = "2026-11-12T18:30:00",
) -> str:
    return HEAD.format(kind=kind, to=to, subject=subject, do=do) + body.lstrip("\n")


def found(
    text: str,
    code: str,
    fu: FollowUp | None = None,
    *,
    you: str = "Sam Porter",
    email: str = "sam@porter.dev",
    panel: tuple[tuple[str, str], ...] = (),
) -> list[Finding]:
    the_settings = settings(name=you, email=email)
    hits = lint_draft("d.md", text, the_settings, fu, panel=panel)
    return [f for f in hits if f.code == code]


def quoted(finding: Finding) -> str:
    match = re.search(r"“([^”]*)”", finding.message)
    assert match, finding.message
    return match[1]


GOOD = """
Dear Jane,

Thank you for meeting me on Thursday. I enjoyed hearing how your team is moving the
monolith onto Kubernetes, one service at a time.

I look forward to hearing about the next steps.

Kind regards,
Sam Porter
"""


def test_a_plain_good_letter_has_no_reader_finding() -> None:
    fu = followup(recipient=person("Jane Doe"))
    codes = {f.code for f in lint_draft("d.md", letter(GOOD), settings(name="Sam Porter"), fu)}
    assert codes.isdisjoint(
        {
            "recipient-named",
            "panel-similar",
            "clarify-admission",
            "fragment",
            "shorthand",
            "stale-day",
            "not-present",
            "full-name-salutation",
            "starter-identity",
            "thanks-again",
        }
    )


# --- recipient-named -----------------------------------------------------------------


def test_recipient_named_after_the_greeting() -> None:
    fu = followup(recipient=person("Oluwaseun Adeyemi", "o.adeyemi@acme.com"))
    bad = letter(
        GOOD.replace("Dear Jane", "Dear Oluwaseun").replace(
            "one service at a time.",
            "one service at a time, and when Oluwaseun asked about on-call I had a story ready.",
        ),
        to="Oluwaseun Adeyemi <o.adeyemi@acme.com>",
    )
    (hit,) = found(bad, "recipient-named", fu)
    assert "when Oluwaseun asked about on-call" in quoted(hit)
    assert "“you”" in hit.message
    assert bad.splitlines()[hit.line - 1].startswith("monolith onto")
    # The greeting and "your question" are how a reader expects to be named.
    good = bad.replace("when Oluwaseun asked", "when you asked")
    assert found(good, "recipient-named", fu) == []


def test_recipient_named_knows_the_name_from_the_to_line_alone() -> None:
    bad = letter(GOOD + "\nP.S. Say hi to Jane from the platform guild.\n")
    assert [quoted(f) for f in found(bad, "recipient-named")] == [
        "P.S. Say hi to Jane from the platform guild."
    ]


def test_recipient_named_allows_the_firm_that_bears_their_name() -> None:
    fu = followup(recipient=person("Imogen Hartwell", "imogen@hartwell.example"))
    fu = replace(fu, company="Hartwell & Co")
    text = letter(
        GOOD.replace("Dear Jane", "Dear Ms Hartwell") + "\nI would love to join Hartwell & Co.\n",
        to="Imogen Hartwell <imogen@hartwell.example>",
    )
    assert found(text, "recipient-named", fu) == []


# --- full-name-salutation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("greeting", "name", "better"),
    [
        ("Dear Dr. Ingrid Solberg,", "Dr. Ingrid Solberg", "Dear Dr. Solberg,"),
        ("Dear Nguyễn Thị Lan,", "Nguyễn Thị Lan", "Dear Nguyễn,"),
        ("Hi Pieter de Vries,", "Pieter de Vries", "Hi Pieter,"),
        ("Dear Grace Mbeki,", "Grace Mbeki", "Dear Grace,"),
    ],
)
def test_full_name_salutation(greeting: str, name: str, better: str) -> None:
    fu = followup(recipient=person(name))
    text = letter(GOOD.replace("Dear Jane,", greeting), to=name)
    (hit,) = found(text, "full-name-salutation", fu)
    assert greeting in hit.message and better in hit.message
    assert text.splitlines()[hit.line - 1] == greeting
    # Without the follow-up, the `to:` line names the person.
    assert [f.line for f in found(text, "full-name-salutation")] == [hit.line]


@pytest.mark.parametrize(
    ("greeting", "name"),
    [
        ("Dear Dr Solberg,", "Dr. Ingrid Solberg"),
        ("Dear Ingrid,", "Ingrid Solberg"),
        ("Dear Ms van der Berg,", "Anouk van der Berg"),
        ("Hi Mary Ann,", "Mary Ann Okoro"),
        ("Dear Hiring Team,", ""),
        ("Hello Sofia, this is Sam Porter, calling about the role.", "Sofia Marchetti"),
    ],
)
def test_titles_surnames_and_first_names_are_fine(greeting: str, name: str) -> None:
    fu = followup(recipient=person(name)) if name else None
    text = letter(GOOD.replace("Dear Jane,", greeting), to=name)
    assert found(text, "full-name-salutation", fu) == []


# --- clarify-admission -------------------------------------------------------------------


@pytest.mark.parametrize(
    "paragraph",
    [
        "I rambled on the caching question. I would be glad to go into it in more detail.",
        "I blanked when you asked about rollbacks, sorry about that.",
        "I undersold the migration work.",
        "My answer on the roadmap question went way too long.",
        "I should have said more about testing.",
        "On reflection, I only described rerunning the batch job. Happy to expand if useful.",
        "On reflection, when asked how I would backfill a year of events, I only described "
        "rerunning the batch job.",
        "On reflection, my answer on Kafka partitioning was rushed. I would be glad to go "
        "into it in more detail if that would help.",
    ],
)
def test_an_admission_with_nothing_added(paragraph: str) -> None:
    text = letter(GOOD.replace("I look forward", f"{paragraph}\n\nI look forward"))
    (hit,) = found(text, "clarify-admission")
    assert paragraph.startswith(quoted(hit).rstrip("…")[:30])
    assert "better answer" in hit.message


@pytest.mark.parametrize(
    "paragraph",
    [
        "I rambled on the caching question; the short version is that we cache per tenant "
        "and invalidate on write.",
        "I should have said that I pair task-completion rates with support-ticket volume, "
        "which is how I proved the impact of the booking redesign.",
        "I blanked on rollbacks. We keep the last three images and flip traffic back in "
        "under two minutes.",
        "On reflection, I would start with a dual write and backfill from the event log in "
        "daily slices.",
        "On your question about partitioning, I should add that we split by tenant and month.",
    ],
)
def test_an_admission_with_the_better_answer_is_fine(paragraph: str) -> None:
    text = letter(GOOD.replace("I look forward", f"{paragraph}\n\nI look forward"))
    assert found(text, "clarify-admission") == []


# --- fragment ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("I enjoyed our conversation about Talked about the on-call rota.", "“Talked”"),
        ("I was glad we could talk about Tomasz asked about IFRS 9 staging.", "a clause"),
        ("I was also glad we found time for they're on murex.", "a clause"),
        ("I especially enjoyed our conversation about Release trains.", "“Release”"),
        ("A highlight was the discussion of Data quality checks.", "“Data”"),
    ],
)
def test_fragment(sentence: str, why: str) -> None:
    text = letter(GOOD.replace("I look forward", f"{sentence}\n\nI look forward"))
    (hit,) = found(text, "fragment")
    assert quoted(hit) == sentence
    assert why in hit.message


@pytest.mark.parametrize(
    "sentence",
    [
        "I especially enjoyed our conversation about release trains.",
        "I enjoyed talking about Kafka and Flink with you.",
        "Thanks for walking me through how you run Kubernetes on bare metal.",
        "It was good to hear about Google Cloud and your move off it.",
        "Thanks again for Friday.",
        "I enjoyed our talk about Acme's platform team.",
        "I appreciated the chance to talk about it.",
        "Thank you for your time on Thursday, 12 November.",
    ],
)
def test_topics_and_proper_nouns_are_not_fragments(sentence: str) -> None:
    text = letter(GOOD.replace("I look forward", f"{sentence}\n\nI look forward"))
    assert found(text, "fragment", followup()) == []


def test_the_note_shows_which_capitals_are_names() -> None:
    # "Notion" is a common word, but the note writes it capitalised mid-sentence.
    sentence = "I enjoyed our conversation about Notion."
    text = letter(GOOD.replace("I look forward", f"{sentence}\n\nI look forward"))
    assert len(found(text, "fragment")) == 1
    fu = followup(note=note(discussed=("moving the team wiki from Confluence to Notion",)))
    assert found(text, "fragment", fu) == []


def test_a_product_written_as_the_product_writes_it_is_not_a_fragment() -> None:
    # "python" in the note is "Python" in the draft (words.en.toml [spelling]).
    sentence = "I enjoyed our conversation about Python."
    text = letter(GOOD.replace("I look forward", f"{sentence}\n\nI look forward"))
    assert found(text, "fragment") == []


def test_common_words_come_from_wordfreq_not_a_list() -> None:
    assert reader_checks.is_common_word("Release") and reader_checks.is_common_word("talked")
    assert not reader_checks.is_common_word("Tomasz")
    assert not reader_checks.is_common_word("Kowalczyk")


# --- shorthand ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "hit"),
    [
        ("I liked hearing about your move from SAS -> python.", "`->`"),
        ("The CRDTs?? part was new to me.", "`??`"),
        ("Building the dashboards w/ react + d3 sounded fun.", "`w/`, `+`"),
        ("Honestly tbh the on-call story was the best part.", "`tbh`"),
        ("I'd pick Postgres b/c of the tooling imo.", "`b/c`, `imo`"),
        ("We covered infra & tooling.", "`&`"),
    ],
)
def test_shorthand(sentence: str, hit: str) -> None:
    text = letter(GOOD.replace("I look forward", f"{sentence}\n\nI look forward"))
    (finding,) = found(text, "shorthand")
    assert quoted(finding) == sentence and f"({hit})" in finding.message


@pytest.mark.parametrize(
    "sentence",
    [
        "I enjoyed hearing about Procter & Gamble and your R&D budget.",
        "We talked about C++ and the move to Rust.",
        "You can find the slides at https://porter.dev/w/talk->notes.",
        "Was it really two years?",
        "I keep coming back to our chat about the “Kraków → Malmö” data link.",
    ],
)
def test_written_out_text_is_not_shorthand(sentence: str) -> None:
    text = letter(GOOD.replace("I look forward", f"{sentence}\n\nI look forward"))
    assert found(text, "shorthand") == []


# --- stale-day ---------------------------------------------------------------------------------


def late(days: int) -> FollowUp:
    return followup(do=START + timedelta(days=days))


@pytest.mark.parametrize("word", ["today", "this morning", "yesterday", "on Thursday"])
def test_stale_day_four_weeks_on(word: str) -> None:
    body = GOOD.replace("meeting me on Thursday", f"meeting me {word}")
    (hit,) = found(letter(body), "stale-day", late(28))
    assert word.split()[-1] in hit.message and "“on 12 November”" in hit.message
    assert "28 days" in hit.message


@pytest.mark.parametrize(
    ("word", "right_until"),
    [("today", 0), ("this morning", 0), ("tonight", 0), ("yesterday", 1), ("on Thursday", 5)],
)
def test_a_day_word_goes_stale_on_the_first_day_it_is_wrong(word: str, right_until: int) -> None:
    body = GOOD.replace("meeting me on Thursday", f"meeting me {word}")
    for days in range(9):
        hits = found(letter(body), "stale-day", late(days))
        assert bool(hits) == (days > right_until), (word, days)


@pytest.mark.parametrize(
    ("days", "right"), [(1, "yesterday"), (3, "on Thursday"), (7, "on 12 November")]
)
def test_stale_day_says_what_to_write_on_the_day_it_is_read(days: int, right: str) -> None:
    """A draft due on the interview's day, read later: counted from the reading."""
    body = GOOD.replace("meeting me on Thursday", "meeting me today")
    text = letter(body)
    (hit,) = [
        f
        for f in lint_draft(
            "d.md", text, settings(), late(0), today=(START + timedelta(days)).date()
        )
        if f.code == "stale-day"
    ]
    assert f"write “{right}”" in hit.message and f"{days} days" in hit.message


def test_stale_day_without_the_follow_up_reads_do_and_the_file_name() -> None:
    body = GOOD.replace("meeting me on Thursday", "meeting me on Friday")
    text = letter(body, do="2026-12-04T09:00:00")
    hits = lint_draft("Follow-ups/Acme/2026-11-13 thank-you - Jane Doe.md", text, settings())
    assert [f.code for f in hits if f.code == "stale-day"] == ["stale-day"]


def test_a_weekday_with_its_date_is_not_stale() -> None:
    body = GOOD.replace("meeting me on Thursday", "meeting me on Thursday, 12 November")
    assert found(letter(body), "stale-day", late(20)) == []


# --- not-present ---------------------------------------------------------------------------------

CHECK_IN = """
Dear Sofia,

I hope you are well. Thank you again for our conversation about the Platform Engineer
role. I wanted to ask whether there is any news on the next steps.

Kind regards,
Sam Porter
"""


def check_in_to(name: str) -> FollowUp:
    return followup(Kind.CHECK_IN, recipient=person(name, "s.m@acme.com"))


def test_not_present_a_check_in_to_the_recruiter() -> None:
    text = letter(CHECK_IN, kind="check-in", to="Sofia Marchetti")
    (hit,) = found(text, "not-present", check_in_to("Sofia Marchetti"))
    assert "“our conversation”" in hit.message and "following my interview with" in hit.message
    good = CHECK_IN.replace(
        "for our conversation about", "for your help; following my interview on 12 November for"
    )
    assert found(letter(good, kind="check-in"), "not-present", check_in_to("Sofia Marchetti")) == []


def test_an_interviewer_may_be_reminded_of_the_conversation() -> None:
    text = letter(CHECK_IN, kind="check-in")
    panel = note(rounds=(Round(START, START + timedelta(hours=1), (person("Sofia Marchetti"),)),))
    fu = replace(check_in_to("Sofia Marchetti"), note=panel)
    assert found(text, "not-present", fu) == []


# --- starter-identity ------------------------------------------------------------------------


def test_the_starter_identity_in_a_real_vault() -> None:
    text = letter(GOOD.replace("Sam Porter", "Alex Example\nalex@example.com"))
    text = text.replace("Thank you - Sam Porter", "Thank you - Alex Example")
    hits = found(text, "starter-identity")
    assert [text.splitlines()[f.line - 1] for f in hits] == [
        'subject: "Thank you - Alex Example"',
        "Alex Example",
        "alex@example.com",
    ]
    assert "`[you] name`" in hits[0].message
    # The demo signs as its example person.
    assert found(text, "starter-identity", you="Alex Example", email="alex@example.com") == []


def test_the_starter_identity_is_the_demos_signer() -> None:
    assert DEMO_SIGNER.name == reader_checks.STARTER_NAME
    assert DEMO_SIGNER.email == reader_checks.STARTER_EMAIL


# --- panel-similar ------------------------------------------------------------------------------

PRIYA = """
Dear Priya,

Thank you for meeting with me on Wednesday. Your question about partitioning a 2 TB table
was the one I enjoyed most, and I have been reading about pg_partman since.

I look forward to hearing about the next steps.

Kind regards,
Sam Porter
"""
TOMASZ = """
Hi Tomasz,

Thanks for the deep dive into your streaming ingestion. I keep thinking about the
exactly-once trade-offs you described with Flink checkpoints, and how you test them.

I'd love to hear what comes next.

Best,
Sam Porter
"""


def test_panel_similar_says_the_ratio_and_the_other_draft() -> None:
    copy = PRIYA.replace("Dear Priya", "Dear Tomasz")
    other = ("Follow-ups/Acme/2026-11-12 thank-you - Priya.md", letter(PRIYA))
    (hit,) = found(letter(copy), "panel-similar", panel=(other,))
    assert "similarity 1.00" in hit.message and other[0] in hit.message
    assert found(letter(TOMASZ), "panel-similar", panel=(other,)) == []


def test_the_panel_ratio_leaves_out_greeting_and_sign_off() -> None:
    ours = letter(PRIYA).splitlines()
    theirs = letter(PRIYA.replace("Dear Priya", "Hi Tomasz").replace("Kind regards", "Best"))
    assert reader_checks.panel_ratio(ours, theirs.splitlines()) == 1.0
    assert reader_checks.letter_words(ours)[0] == "Thank"
    assert "Porter" not in reader_checks.letter_words(ours)


# --- end to end ----------------------------------------------------------------------------------

NOTE = """---
type: interview
company: Acme
role: Platform Engineer
date: 2026-11-12T15:30
interviewers: ["[[Priya Raman]]", "[[Tomasz Kowalczyk]]"]
contact: Sofia Marchetti <sofia@acme.example.com>
---
## Discussed
- partitioning a 2 TB table
- streaming ingestion with Flink
"""


def test_check_on_a_real_vault(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    (root / "Interviews").mkdir(parents=True)
    (root / "vaultfollow.toml").write_text(
        '[you]\nname = "Sam Porter"\nemail = "sam@porter.dev"\n\n'
        '[notes]\nfolders = ["Interviews"]\n[schedule]\ntimezone = "Europe/Berlin"\n',
        encoding="utf-8",
    )
    (root / "Interviews" / "2026-11-12 Acme.md").write_text(NOTE, encoding="utf-8")
    runner = CliRunner()
    now = ["--now", "2026-11-12T18:00"]
    assert runner.invoke(main, ["sync", str(root), *now]).exit_code == 0
    drafts = root / "Follow-ups" / "Acme"
    priya = next(drafts.glob("*thank-you - Priya Raman.md"))
    tomasz = next(drafts.glob("*thank-you - Tomasz Kowalczyk.md"))

    def rewrite(path: Path, body: str) -> None:
        head = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        path.write_text(f"{head}\n---\n{body.lstrip()}", encoding="utf-8")

    rewrite(priya, PRIYA)
    rewrite(tomasz, TOMASZ)
    result = runner.invoke(main, ["check", str(root), *now, "--json"])
    ours = {(f["path"], f["code"]) for f in json.loads(result.output)}
    rel = {p: p.relative_to(root).as_posix() for p in (priya, tomasz)}
    assert not {c for p, c in ours if p in rel.values()} & {"panel-similar", "fragment"}

    rewrite(
        tomasz,
        PRIYA.replace("Dear Priya", "Dear Tomasz Kowalczyk").replace(
            "I look forward",
            "On reflection, I rambled on the CDC question.\n\nTalk soon w/ the team, Tomasz.\n\n"
            "I look forward",
        ),
    )
    result = runner.invoke(main, ["check", str(root), *now, "--json"])
    assert result.exit_code == 1
    findings = json.loads(result.output)
    codes = {f["code"] for f in findings if f["path"] == rel[tomasz]}
    assert {
        "panel-similar",
        "full-name-salutation",
        "clarify-admission",
        "shorthand",
        "recipient-named",
    } <= codes
    (similar,) = [f for f in findings if f["path"] == rel[tomasz] and f["code"] == "panel-similar"]
    assert rel[priya] in similar["message"]
    text = runner.invoke(main, ["check", str(tomasz), *now]).output
    assert f"{rel[tomasz]}:" in text and "[panel-similar]" in text


def test_a_word_the_note_capitalises_mid_sentence_is_no_fragment() -> None:
    # "on Switch": the note writes the console's name so, and never in lower case.
    fu = followup(note=note(discussed=("Chiara asked how I'd profile a frame spike on Switch",)))
    sentence = "I've been thinking about how I'd profile a frame spike on Switch ever since."
    text = letter(GOOD.replace("I look forward", f"{sentence}\n\nI look forward"))
    assert found(text, "fragment", fu) == []


def test_a_point_counts_as_the_generator_reads_it() -> None:
    # "Ola asked about MEDDICC" is the point "MEDDICC": the name and "asked" are not in it.
    ola = note(
        rounds=(Round(START, START + timedelta(hours=1), (person("Ola Nordmann"),)),),
        discussed=("Ola asked about MEDDICC", "Tell me about yourself"),
    )
    fu = followup(note=ola, recipient=person("Ola Nordmann"))
    mentions = GOOD.replace(
        "I look forward", "Your question about MEDDICC stayed with me.\n\nI look forward"
    )
    assert found(letter(mentions, to="Ola Nordmann <ola@acme.com>"), "no-point", fu) == []
    assert found(letter(GOOD, to="Ola Nordmann <ola@acme.com>"), "no-point", fu)


def test_a_note_of_only_stock_questions_asks_for_no_point() -> None:
    asked = note(discussed=("Tell me about yourself", "biggest weakness -> delegation lol"))
    assert found(letter(GOOD), "no-point", followup(note=asked)) == []
