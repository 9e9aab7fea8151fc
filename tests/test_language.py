"""The words a language reads notes and writes drafts with are data
(templates/words.<code>.toml), compiled into patterns by core.language."""

from __future__ import annotations

import re

from vaultfollow.core.clarify import clarification_sentence, split_clarification
from vaultfollow.core.language import alternation, phrases, words
from vaultfollow.core.model import Person


def test_an_alternation_tries_the_longest_phrase_first_and_reads_both_apostrophes() -> None:
    choices = alternation(["too", "too long", "didn't"])
    pattern = re.compile(f"^(?:{choices})")

    def matched(text: str) -> str | None:
        found = pattern.match(text)
        return found[0] if found else None

    assert matched("too long on it") == "too long"
    assert matched("didn’t say") == "didn’t"
    assert matched("too   long") == "too   long"
    assert matched("tool") == "too"


def test_the_english_words_file_holds_every_list_and_frame_the_clarification_uses() -> None:
    clarify = words("en")["clarify"]
    for key in ("admissions", "confessions", "should_have", "forgot_to", "better_labels"):
        assert phrases("clarify", key) and all(isinstance(p, str) for p in phrases("clarify", key))
    for tone in ("formal", "casual"):
        assert set(clarify[tone]) == {"general", "clause", "phrase", "more"}
    assert "{question}" in clarify["question"]["about"]


def test_each_admission_in_the_words_file_is_never_sent() -> None:
    for admission in phrases("clarify", "admissions"):
        found = split_clarification(
            [f"I {admission} on the caching question. I should have said we cut p99 by 40 %."],
            [Person("Ada Obi")],
        )
        sentence = clarification_sentence(found, "formal", Person("Ada Obi"))
        assert sentence is not None and "we cut p99 by 40 %" in sentence
        assert admission not in sentence, (admission, sentence)
