"""The note's Discussed items, understood (issue 17, point 1): topics, clauses,
a panel member's own questions, shorthand, the questions the candidate was
asked, note-taking verbs, and the case of each word."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaultfollow.core.items import Act, Item, ItemKind, classify_item, classify_items, name_key
from vaultfollow.core.model import Person

PANEL = (
    Person("Tomasz Kowalczyk"),
    Person("Priya Raman"),
    Person("Oluwaseun Adeyemi"),
    Person("Nguyễn Thị Lan"),
    Person("Dr. Ingrid Solberg"),
    Person("Dr. Pablo Iglesias Ruiz"),
    Person("Rev. Martin Lowe"),
)


def one(text: str, people: tuple[Person, ...] = PANEL) -> Item:
    return classify_item(text, people)


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        ("Talked about the move to Rust", "the move to Rust"),
        ("Discussed their Kafka setup", "their Kafka setup"),
        ("We chatted about on-call and the pager rota", "on-call and the pager rota"),
        ("- Release trains", "release trains"),
        ("Release trains, and how often they ship", "release trains, and how often they ship"),
        ("Partitioning a 2 TB table", "partitioning a 2 TB table"),
        ("IFRS9 staging models", "IFRS9 staging models"),
        ("CRDTs??", "CRDTs"),
        ("Kafka consumer lag", "Kafka consumer lag"),
        ("Went over the iOS release process", "the iOS release process"),
        ("AWS cost cuts - 30% off the bill", "AWS cost cuts - 30% off the bill"),
    ],
)
def test_a_topic_is_a_noun_phrase_that_can_follow_about(raw: str, phrase: str) -> None:
    item = one(raw)
    assert item.kind is ItemKind.TOPIC, item
    assert item.text == phrase
    assert item.owner is None


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        ("SAS -> python migration", "SAS to Python migration"),
        ("their migration SAS -> python", "their migration from SAS to Python"),
        ("moving Jenkins → GitHub Actions", "moving from Jenkins to GitHub Actions"),
        ("pairing w/ react + typescript devs", "pairing with React and TypeScript devs"),
        ("their roadmap tbh", "their roadmap"),
        ("design system lol", "design system"),
        ("Offline sync w/ CRDTs??", "offline sync with CRDTs"),
        ("build vs buy for the ledger", "build versus buy for the ledger"),
        ("a PD model with only 4 yrs of defaults", "a PD model with only 4 years of defaults"),
        ("their q's on pricing", "their questions on pricing"),
        ("retail banks esp. in the Nordics", "retail banks especially in the Nordics"),
    ],
)
def test_shorthand_is_expanded_or_dropped(raw: str, phrase: str) -> None:
    assert one(raw).text == phrase


@pytest.mark.parametrize(
    ("raw", "kind", "phrase"),
    [
        ("How they deploy on Fridays", ItemKind.CLAUSE, "how they deploy on Fridays"),
        ("why the team moved off Heroku", ItemKind.CLAUSE, "why the team moved off Heroku"),
        ("They're on Murex", ItemKind.FACT, "they're on Murex"),
        (
            "Team is 5 data scientists and 2 engineers",
            ItemKind.FACT,
            "the team is 5 data scientists and 2 engineers",
        ),
    ],
)
def test_a_clause_is_kept_whole_and_marked_for_its_frame(
    raw: str, kind: ItemKind, phrase: str
) -> None:
    item = one(raw)
    assert item.kind is kind
    assert item.text == phrase


@pytest.mark.parametrize(
    ("raw", "owner", "phrase"),
    [
        (
            "Tomasz asked about partitioning a 2 TB table",
            "Tomasz Kowalczyk",
            "partitioning a 2 TB table",
        ),
        ("Priya: how we'd shard it", "Priya Raman", "how we'd shard it"),
        ("priya - How we'd shard it??", "Priya Raman", "how we'd shard it"),
        (
            "Oluwaseun walked me through the release trains",
            "Oluwaseun Adeyemi",
            "the release trains",
        ),
        (
            "Lan asked how we test the pricing engine",
            "Nguyễn Thị Lan",
            "how we test the pricing engine",
        ),
        ("nguyen thi lan asked about IFRS 9 staging", "Nguyễn Thị Lan", "IFRS 9 staging"),
        ("Dr Solberg asked about model risk", "Dr. Ingrid Solberg", "model risk"),
        ("Ingrid Solberg: the validation backlog", "Dr. Ingrid Solberg", "the validation backlog"),
        ("KOWALCZYK asked about vacuum tuning", "Tomasz Kowalczyk", "vacuum tuning"),
        # A first family name used alone, and a clergy title.
        (
            "Dr. Iglesias: predictive maintenance",
            "Dr. Pablo Iglesias Ruiz",
            "predictive maintenance",
        ),
        (
            "Rev Lowe: the appeal for the chapel roof",
            "Rev. Martin Lowe",
            "the appeal for the chapel roof",
        ),
    ],
)
def test_a_panel_member_s_question_or_remark_is_theirs(raw: str, owner: str, phrase: str) -> None:
    item = one(raw)
    assert item.owner is not None and item.owner.name == owner, item
    assert item.text == phrase


def test_a_name_not_on_the_panel_owns_nothing() -> None:
    item = one("Marek asked about the batch window")
    assert item.owner is None


@pytest.mark.parametrize(
    "raw",
    [
        "Tell me about yourself",
        "Why do you want to leave?",
        "What's your biggest weakness",
        "Where do you see yourself in 5 years?",
        "Walk me through your CV",
        "Q: why us?",
    ],
)
def test_a_question_the_candidate_was_asked_is_never_a_point(raw: str) -> None:
    assert one(raw).kind is ItemKind.ASKED_OF_ME


def test_an_empty_or_only_shorthand_item_is_skipped() -> None:
    assert one("?? lol").kind is ItemKind.SKIP
    assert one("   ").kind is ItemKind.SKIP


def test_a_word_capitalised_elsewhere_in_the_note_keeps_its_capital() -> None:
    items = classify_items(["Rust at the edge", "the move to Rust"], PANEL)
    assert items[0].text == "Rust at the edge"


def test_a_word_written_lower_case_elsewhere_loses_its_capital() -> None:
    items = classify_items(["Booking flow", "metrics for the booking flow"], PANEL)
    assert items[0].text == "booking flow"


def test_a_panel_member_s_name_keeps_its_capital_inside_a_topic() -> None:
    assert one("Priya's team and its roadmap").owner == PANEL[1]
    assert one("Working with Priya's team").text == "working with Priya's team"


def test_names_match_without_diacritics_or_case() -> None:
    assert name_key("Nguyễn") == name_key("NGUYEN") == name_key("nguyen")
    assert name_key("Łukasz") == name_key("lukasz")


# --- properties ------------------------------------------------------------

_WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@given(_WORDS)
def test_any_text_classifies_without_crashing_and_keeps_its_digits(raw: str) -> None:
    item = classify_item(raw, PANEL)
    assert isinstance(item.kind, ItemKind)
    if item.kind in (ItemKind.TOPIC, ItemKind.CLAUSE, ItemKind.FACT):
        assert item.text.strip() == item.text and item.text
        assert "??" not in item.text


@given(
    st.sampled_from(["30%", "2 TB", "$1.2M", "p99 of 40 ms", "IFRS 9"]),
    st.sampled_from(["Talked about ", "Discussed ", "", "We chatted about "]),
)
def test_numbers_survive_classification(figure: str, lead: str) -> None:
    item = classify_item(f"{lead}the cut of {figure} on the batch", PANEL)
    assert figure in item.text


@given(st.sampled_from(PANEL), st.sampled_from(["first", "last", "full"]), st.booleans())
def test_every_way_of_writing_a_name_finds_its_owner(
    person: Person, form: str, upper: bool
) -> None:
    words = [w for w in person.name.split() if w.rstrip(".") not in ("Dr", "Rev")]
    name = {"first": words[0], "last": words[-1], "full": " ".join(words)}[form]
    if upper:
        name = name.upper()
    item = classify_item(f"{name} asked about the cut-over plan", PANEL)
    assert item.owner == person
    assert item.text == "the cut-over plan"


@given(st.lists(_WORDS, max_size=6))
def test_classification_is_deterministic(raws: list[str]) -> None:
    assert classify_items(raws, PANEL) == classify_items(list(raws), PANEL)


# --- a panel member named mid-item, and the questions put to every candidate ------

MIXED = (
    Person("Tariq Aziz"),
    Person("Jess Moreno"),
    Person("Declan Byrne"),
    Person("Zoë Ó Briain"),
    Person("Jonas Lindqvist"),
    Person("Hannah Brooks"),
    Person("Grace O'Connell"),
    Person("Mr. Lawrence Whitby"),
    Person("Dr. Anneliese Vogel"),
)


@pytest.mark.parametrize(
    ("raw", "owner", "phrase"),
    [
        (
            "mock discovery call w/ Tariq playing the CFO",
            "Tariq Aziz",
            "the mock discovery call with Tariq playing the CFO",
        ),
        ("pairing session with jess", None, "pairing session with jess"),  # a name is capitalised
        ("whiteboarding w/ Dr Vogel", "Dr. Anneliese Vogel", "the whiteboarding with Dr Vogel"),
        (
            "CRDTs?? for the offline editor - Declan is keen",
            "Declan Byrne",
            "CRDTs for the offline editor",
        ),
        (
            "booking flow redesign (my portfolio piece) - Jonas had lots of q's",
            "Jonas Lindqvist",
            "the booking flow redesign",
        ),
        (
            "churn dashboard in Looker, Zoë built it",
            "Zoë Ó Briain",
            "the churn dashboard in Looker",
        ),
        ("incident review, Zoe wants them public", "Zoë Ó Briain", "the incident review"),
    ],
)
def test_a_member_named_mid_item_owns_what_they_did(
    raw: str, owner: str | None, phrase: str
) -> None:
    item = one(raw, MIXED)
    assert (item.owner.name if item.owner else None) == owner, item
    assert item.text == phrase


def test_jonas_question_is_a_question_and_declan_s_remark_a_remark() -> None:
    assert one("booking flow redesign - Jonas had lots of q's", MIXED).act is Act.QUESTION
    assert one("CRDTs for the offline editor - Declan is keen", MIXED).act is Act.REMARK
    assert one("mock call w/ Tariq playing the CFO", MIXED).act is Act.PART


@pytest.mark.parametrize(
    "raw",
    [
        "reporting line goes to Hannah",  # named in passing
        "Grace period on the SLA credits",  # a word, not the name, starts the item
        "rebrand launch - Hannah's team owns it",  # whose, not who raised it
        "on-call rota, Hannah and Jonas both on it",  # two members: nobody's
        "working with Hannahs from other teams",  # part of another word
        "the Tariqa order in the case study",
    ],
)
def test_an_item_that_merely_mentions_a_member_is_not_theirs(raw: str) -> None:
    assert one(raw, MIXED).owner is None, one(raw, MIXED)


@pytest.mark.parametrize(
    "raw",
    [
        "Lawrence: why Greyfriars",
        "Mr Whitby: why banking after fintech?",
        "Callum: Tell me about yourself / why banking after fintech",
        "Tell me about yourself (did the 2-min version, went fine)",
        "biggest weakness -> said delegation lol",
        "Jess asked the classic tell me about a time u failed",
        "why us??",
        "hiring manager screen, mostly my background",
    ],
)
def test_a_stock_question_is_asked_of_me_even_when_a_member_asked_it(raw: str) -> None:
    item = one(raw, (*MIXED, Person("Callum Reid")))
    assert item.kind is ItemKind.ASKED_OF_ME, item


def test_the_rest_of_an_item_after_a_stock_question_stays() -> None:
    item = one("Jess: why Copperline / then the ramp plan for Q1", MIXED)
    assert item.kind is ItemKind.TOPIC and item.owner == MIXED[1]
    assert item.text == "then the ramp plan for Q1"


@pytest.mark.parametrize(
    "raw",
    [
        "Jess: how I'd hit 120 % of quota in a new territory",
        "Tariq asked why the pipeline stalled in Q3",
        "why they moved off Salesforce",
    ],
)
def test_a_question_about_the_work_is_still_a_point(raw: str) -> None:
    assert one(raw, MIXED).kind is not ItemKind.ASKED_OF_ME


@pytest.mark.parametrize(
    ("raw", "people", "owner", "phrase"),
    [
        # A family name with its particle, after a title.
        (
            "Dr von Arnim asked about translated fiction, esp. from Scandinavian languages",
            (Person("Dr. Friederike von Arnim"), Person("Matthias Groß")),
            "Dr. Friederike von Arnim",
            "translated fiction",
        ),
        (
            "de Wit: how I measure whether a design change worked",
            (Person("Sanne de Wit"),),
            "Sanne de Wit",
            "how I measure whether a design change worked",
        ),
        # The candidate's own answer after a comma is not the point.
        (
            "Dr Vogel asked about pricing Bermudan swaptions, I went w/ LSM",
            (Person("Dr. Anneliese Vogel"),),
            "Dr. Anneliese Vogel",
            "pricing Bermudan swaptions",
        ),
        (
            "Gwen - database lock timelines, they aim for 4 wks after LPLV",
            (Person("Ms. Gwen Thomas"),),
            "Ms. Gwen Thomas",
            "database lock timelines",
        ),
    ],
)
def test_names_with_particles_esp_and_my_answer(
    raw: str, people: tuple[Person, ...], owner: str, phrase: str
) -> None:
    item = one(raw, people)
    assert item.owner is not None and item.owner.name == owner, item
    assert item.text == phrase


def test_a_word_with_capitals_past_a_symbol_keeps_them() -> None:
    assert one("S&OP cycle, monthly").text == "S&OP cycle"


def test_what_a_member_s_team_is_is_a_fact_and_a_topic_stays_a_topic() -> None:
    noor = (Person("Noor Haddad"),)
    assert one("Noor's team is 3 people + an agency", noor).kind is ItemKind.FACT
    assert one("Noor's rebrand plans", noor).kind is ItemKind.TOPIC


@pytest.mark.parametrize(
    "raw",
    [
        "why Kafka over Kinesis",
        "why event sourcing",
        "their data platform, a good fit for my background",
        "how my CV gaps are read",
    ],
)
def test_a_question_about_the_work_is_a_point_though_it_looks_like_a_stock_one(raw: str) -> None:
    item = classify_item(raw, PANEL)
    assert item.kind is not ItemKind.ASKED_OF_ME, item


@pytest.mark.parametrize(
    "raw", ["why us?", "why banking after fintech", "hiring manager screen, mostly my background"]
)
def test_why_this_job_and_my_own_story_are_never_a_point(raw: str) -> None:
    assert classify_item(raw, PANEL).kind is ItemKind.ASKED_OF_ME


def test_an_acronym_is_not_a_verb() -> None:
    # "CAN bus" read as "can" made the point a fact: "I liked hearing that my CAN bus ...".
    item = classify_item("My CAN bus debugging story from the agricultural drone project.", PANEL)
    assert item.kind is ItemKind.TOPIC


# --- asides to self (issue 17, point 1) -------------------------------------
# A point the note carries with an aside after a comma ("HIL test benches,
# they have 6 and always a queue") is sent as its head: the interviewer's own
# numbers and a complaint about their setup are notes to self.

BRENNHAUS = (Person("Selin Yılmaz"), Person("Jürgen Hoffmann"), Person("Gwen Thomas"))


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        ("Selin: HIL test benches, they have 6 and always a queue", "HIL test benches"),
        ("their dbt setup, ~400 models, CI takes 40 min tbh", "their dbt setup"),
        (
            "Gwen - database lock timelines, they aim for 4 wks after LPLV",
            "database lock timelines",
        ),
        (
            "tasting events in Germany + Benelux, ~40 a year",
            "tasting events in Germany and Benelux",
        ),
        ("legacy giving, 40 % of income", "legacy giving"),
        (
            "accessibility audit, they're at WCAG 2.1 AA on web but not the app",
            "accessibility audit",
        ),
        ("voice and tone guide, they don't have one yet", "voice and tone guide"),
        ("the billing service, legacy mess lol", "the billing service"),
        ("ledger design, double entry", "ledger design"),
        (
            "Rafael: their Go monorepo + bazel, builds are slow (~25 min)",
            "their Go monorepo and Bazel",
        ),
        (
            "Daily cash positioning across 14 entities, still mostly in spreadsheets",
            "daily cash positioning across 14 entities",
        ),
        ("feature stores, online vs offline skew", "feature stores"),
        ("churn dashboard in Looker, Olga built it", "churn dashboard in Looker"),
        ("their data platform, v impressive", "their data platform"),
    ],
)
def test_a_point_is_sent_without_its_aside(raw: str, phrase: str) -> None:
    people = (*BRENNHAUS, Person("Rafael Costa"))
    item = classify_item(raw, people)
    assert item.kind is ItemKind.TOPIC, item
    assert item.text == phrase


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        # A list is one point, not a point and an aside.
        ("vendor contracts, cleaning + catering", "vendor contracts, cleaning and catering"),
        (
            "tasting events in Germany, France, Spain and Benelux",
            "tasting events in Germany, France, Spain and Benelux",
        ),
        ("Release trains, and how often they ship", "release trains, and how often they ship"),
    ],
)
def test_a_list_keeps_every_item(raw: str, phrase: str) -> None:
    assert one(raw).text == phrase


def test_a_clause_after_and_is_no_list_item() -> None:
    """ "blameless and they publish them internally" goes on about their
    practice in a clause: an aside, not the end of a list."""
    assert one("incident review culture, blameless and they publish them internally").text == (
        "incident review culture"
    )


def test_a_statement_keeps_its_contrast() -> None:
    item = one("their SLOs are per-customer, not per-service (interesting)")
    assert item.kind is ItemKind.FACT
    assert item.text == "their SLOs are per-customer, not per-service"


@pytest.mark.parametrize(
    "raw",
    [
        "no tests on the payments service lol",
        "their CI is painfully slow",
        "the codebase is a legacy mess tbh",
        "Selin: the HIL benches are a bottleneck",
        "Rafael: builds are slow, ~25 min",
    ],
)
def test_a_complaint_about_their_setup_is_never_a_point(raw: str) -> None:
    item = classify_item(raw, (*BRENNHAUS, Person("Rafael Costa")))
    assert item.kind is ItemKind.NOTE_TO_SELF, item


def test_their_own_question_may_name_a_problem() -> None:
    item = classify_item(
        "Lena asked how I'd design retries for a flaky PSP", (Person("Lena Vogt"),)
    )
    assert item.kind is ItemKind.CLAUSE and item.act is Act.QUESTION
    assert item.text == "how I'd design retries for a flaky PSP"


@given(
    st.sampled_from(
        [
            "HIL test benches",
            "their dbt setup",
            "the spring list",
            "capacity planning for Black Friday",
        ]
    ),
    st.sampled_from(
        [
            "~400 models",
            "they have 6 and always a queue",
            "CI takes 40 min tbh",
            "22 titles",
            "6x normal traffic",
            "builds are slow",
            "legacy mess lol",
            "we're at 40 % lol",
            "you aim for 4 wks",
            "still mostly manual",
            "monthly",
        ]
    ),
)
def test_any_aside_after_a_topic_goes_and_the_head_stays(head: str, aside: str) -> None:
    item = classify_item(f"{head}, {aside}", PANEL)
    assert item.kind is ItemKind.TOPIC
    assert item.text.casefold() == head.casefold()


# --- product names (issue 17, point 2) --------------------------------------
# Notes write product names in lower case; a draft writes them as the
# product does: the vault's own spelling first, then the words file's table.


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        ("design system in figma", "design system in Figma"),
        ("they're on murex for the back office", "they're on Murex for the back office"),
        ("GPU scheduling on k8s", "GPU scheduling on Kubernetes"),
        (
            "postgres partitioning for the orders table",
            "Postgres partitioning for the orders table",
        ),
        ("kafka consumer lag", "Kafka consumer lag"),
        ("their dbt setup", "their dbt setup"),
        ("moving from jenkins to github actions", "moving from Jenkins to GitHub Actions"),
    ],
)
def test_a_product_is_written_as_the_product_writes_it(raw: str, phrase: str) -> None:
    assert one(raw).text == phrase


@pytest.mark.parametrize(
    "raw",
    [
        "how we react to incidents at night",
        "the rust belt of their old monolith",
        "ship fast and go",
    ],
)
def test_a_product_name_that_is_also_a_word_stays_a_word_alone(raw: str) -> None:
    assert one(raw).text == raw


def test_a_product_name_that_is_also_a_word_is_a_product_beside_another_product() -> None:
    assert (
        one("tokens synced w/ react + storybook").text == "tokens synced with React and Storybook"
    )


def test_the_note_s_own_spelling_is_used_elsewhere_in_the_note() -> None:
    items = classify_items(
        [
            "GPU jobs queued in Kueue",
            "kueue quotas per team",
            "the move to React",
            "the react rewrite",
        ],
        PANEL,
    )
    assert items[1].text == "Kueue quotas per team"
    assert items[3].text == "the React rewrite"


def test_a_common_word_capitalised_in_a_name_is_not_capitalised_elsewhere() -> None:
    items = classify_items(["the Consumer Duty rollout", "consumer lending in the Nordics"], PANEL)
    assert items[1].text == "consumer lending in the Nordics"


@given(
    st.sampled_from(["python", "figma", "bazel", "murex", "postgres"]),
    st.sampled_from(["Python", "Figma"]),
)
def test_a_restored_capital_never_changes_another_word(product: str, other: str) -> None:
    raw = f"their migration to {product} and the spring list"
    item = one(raw)
    assert item.text.split()[:3] == ["their", "migration", "to"]
    assert item.text.split()[-3:] == ["the", "spring", "list"]
    assert item.text.split()[3] != product
