"""`[notes.properties]`: the vault's own property names for vaultfollow's facts
(issue 16, point 1), on notes written the way communication-log vaults
write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import VaultFactory, at
from vaultfollow.app.engine import sync
from vaultfollow.core.config import parse_config_text
from vaultfollow.core.properties import FACTS, normalise_key, normalise_properties
from vaultfollow.errors import ConfigError

NOW = at("2026-11-12 10:00")

# A communication log as such vaults keep it: nothing is named as vaultfollow
# names it, and a `date` records when the note was made, not the interview.
COMM_LOG = """\
---
date: 2026-10-02
Comm_DateTime: 2026-11-11 14:00
Employer: "[[Ribbon Health]]"
Job-Title: Staff Data Engineer
Contacts:
  - "[[People/Ingrid Solberg|Ingrid Solberg]]"
  - Tomasz Wójcik <tomasz@ribbon.example>
Comm-Type: video call
---
## Discussed
- their move from nightly batches to streaming ingestion
"""

CONFIG = """\
[schedule]
timezone = "Europe/Berlin"
[notes]
folders = ["Communications"]
[notes.properties]
date = ["Comm_DateTime", "Date Last Interaction"]
interviewers = "Contacts"
company = "Employer"
role = ["Job-Title", "Title"]
"""


def test_a_communication_log_is_read_through_the_property_map(make_vault: VaultFactory) -> None:
    root = make_vault({"Communications/ribbon call.md": COMM_LOG}, config=CONFIG)
    report = sync(root, NOW)
    assert not report.problems, [str(p) for p in report.problems]
    (note,) = report.plan.notes
    assert (note.company, note.role) == ("Ribbon Health", "Staff Data Engineer")
    assert note.rounds[0].start == at("2026-11-11 14:00")  # not the `date` the note was made
    names = [p.name for p in note.rounds[0].interviewers]
    assert names == ["Ingrid Solberg", "Tomasz Wójcik"]
    thanks = sorted(p.name for p in (root / "Follow-ups/Ribbon Health").glob("*thank-you*"))
    assert thanks == [
        "2026-11-11 thank-you - Ingrid Solberg.md",
        "2026-11-11 thank-you - Tomasz Wójcik.md",
    ]


def test_without_the_map_the_same_note_is_not_taken_for_what_it_is_not(
    make_vault: VaultFactory,
) -> None:
    """The map is what reads it: without it the note has no company, and is
    reported (not drafted to anyone on the wrong day)."""
    config = CONFIG[: CONFIG.index("[notes.properties]")]
    root = make_vault({"Communications/ribbon call.md": COMM_LOG}, config=config)
    report = sync(root, NOW)
    assert not report.created
    assert any(p.path == "Communications/ribbon call.md" for p in report.problems)


def test_the_first_name_the_note_has_wins_and_the_map_beats_the_builtin_names() -> None:
    names = (("date", ("Comm_DateTime", "Date Last Interaction")), ("company", ("Employer",)))
    props = normalise_properties(
        {"date-last-interaction": "b", "Date": "c", "organization": "d", "EMPLOYER": "e"}, names
    )
    assert props["date"] == ("date-last-interaction", "b")
    assert props["company"] == ("EMPLOYER", "e")


@given(
    st.dictionaries(
        st.text(alphabet="abcdefghijk_- ", min_size=1, max_size=12),
        st.one_of(st.text(max_size=5), st.integers()),
        max_size=8,
    )
)
def test_a_map_never_changes_the_reading_of_a_note_that_has_none_of_its_names(
    data: dict[str, object],
) -> None:
    names = (("date", ("Comm_DateTime",)), ("interviewers", ("Contacts", "Who Was There")))
    mapped = {normalise_key(n) for _, candidates in names for n in candidates}
    plain = {k: v for k, v in data.items() if normalise_key(k) not in mapped}
    assert normalise_properties(plain, names) == normalise_properties(plain)


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ('[notes.properties]\nemployer = "Company"\n', "not `employer`"),
        ("[notes.properties]\ndate = 5\n", "for `date` a property name"),
        ("[notes.properties]\ndate = []\n", "for `date` a property name"),
        ('[notes]\nproperties = "Contacts"\n', "a table of facts"),
    ],
)
def test_a_bad_map_is_a_config_error_naming_the_key(table: str, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config_text(table, default_zone="UTC")
    (line,) = caught.value.errors
    assert "[notes] properties" in line and said in line, line


def test_every_fact_can_be_mapped() -> None:
    table = "[notes.properties]\n" + "".join(f'{fact} = "My {fact}"\n' for fact in FACTS)
    settings = parse_config_text(table, default_zone="UTC")
    assert dict(settings.notes.properties) == {fact: (f"My {fact}",) for fact in FACTS}
