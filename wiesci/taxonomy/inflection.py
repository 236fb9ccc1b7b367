"""Polish case forms of place names, generated with the Morfeusz 2 dictionary.

Page titles need "Wiadomości z Krzanowic" (genitive) and "Wydarzenia w
Krzanowicach" (locative). Morfeusz knows most Polish place names; each word of
a name is inflected in agreement with the name's head noun ("Kuźnia
Raciborska" → "Kuźni Raciborskiej"). Names it does not know are returned
unchanged, for an editor to correct in the admin.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

_local = threading.local()


def _morfeusz() -> Any:
    # Morfeusz instances are not thread-safe; loading the dictionary takes a
    # fraction of a second, so each thread keeps its own.
    if not hasattr(_local, "morfeusz"):
        import morfeusz2

        _local.morfeusz = morfeusz2.Morfeusz(expand_tags=True)
    return _local.morfeusz


@dataclass(frozen=True)
class Interpretation:
    lemma: str
    pos: str
    number: str
    gender: str
    is_place: bool

    def names(self, word: str) -> bool:
        """Whether `word` is this reading's dictionary form ("Rudy:Sn_pt" → "Rudy").

        A place name is given in its dictionary form, so a reading whose lemma
        is another word is a coincidence of spelling: "Studzienna" read as the
        plural of the village "Studzienno".
        """
        return self.lemma.split(":")[0] == word


def _interpretations(word: str) -> list[Interpretation]:
    found = []
    for _start, _end, (form, lemma, tag, qualifiers, _labels) in _morfeusz().analyse(
        word
    ):
        parts = tag.split(":")
        if form != word or parts[0] not in {"subst", "adj"} or len(parts) < 4:
            continue
        if "nom" not in parts[2].split("."):
            continue
        found.append(
            Interpretation(
                lemma=lemma,
                pos=parts[0],
                number=parts[1],
                gender=parts[3],
                is_place="nazwa_geograficzna" in qualifiers,
            )
        )
    return found


def _generate(
    lemma: str, *, pos: str, number: str, gender: str, case: str
) -> str | None:
    for form, _lemma, tag, _qualifiers, _labels in _morfeusz().generate(lemma):
        parts = tag.split(":")
        if parts[0] != pos or parts[1] != number or case not in parts[2].split("."):
            continue
        if gender not in parts[3].split("."):
            continue
        if pos == "adj" and parts[-1] != "pos":
            continue
        return str(form)
    return None


def _head(
    words: list[str], interpretations: list[list[Interpretation]]
) -> Interpretation | None:
    """The noun the other words agree with.

    In order: a place name read in its dictionary form, any noun read in its
    dictionary form, any place name, any noun.
    """
    nouns = [
        (not (i.is_place and i.names(word)), not i.names(word), not i.is_place, i)
        for word, options in zip(words, interpretations, strict=True)
        for i in options
        if i.pos == "subst"
    ]
    ranked = sorted(nouns, key=lambda entry: entry[:3])
    return ranked[0][3] if ranked else None


def _restore_case(original: str, form: str) -> str:
    return form[0].upper() + form[1:] if original[:1].isupper() else form


@functools.lru_cache(maxsize=512)
def inflect(name: str, case: str) -> str | None:
    """Return `name` in `case` ("gen" or "loc"), or None when unknown."""
    words = name.split()
    options = [_interpretations(word) for word in words]
    head = _head(words, options)
    if head is None:
        return None
    result = []
    for word, interpretations in zip(words, options, strict=True):
        matching = [
            i
            for i in interpretations
            if i.number == head.number and i.pos in {"subst", "adj"}
        ]
        # Prefer the place-name reading ("Nędza" the village, not the surname).
        matching.sort(key=lambda i: (not i.is_place, i.pos != "subst"))
        form = None
        for interpretation in matching:
            gender = (
                head.gender if interpretation.pos == "adj" else interpretation.gender
            )
            form = _generate(
                interpretation.lemma,
                pos=interpretation.pos,
                number=head.number,
                gender=gender,
                case=case,
            )
            if form:
                break
        if form is None:
            return None
        result.append(_restore_case(word, form))
    return " ".join(result)


def _needs_vowel(preposition: str, word: str) -> bool:
    """Whether "z"/"w" become "ze"/"we" before `word` (ze Szczecina, we Wrocławiu)."""
    lower = word.lower()
    if len(lower) < 2 or lower[1] in "aąeęioóuy":
        return False
    if preposition == "z":
        return lower[0] in "szśźż" or lower.startswith("mn")
    return lower[0] in "wf"


def with_preposition(preposition: str, phrase: str) -> str:
    if _needs_vowel(preposition, phrase):
        preposition += "e"
    return f"{preposition} {phrase}"


def place_phrases(name: str) -> tuple[str, str]:
    """Return ("z Krzanowic", "w Krzanowicach") for "Krzanowice".

    Falls back to the nominative when the dictionary does not know the name.
    """
    genitive = inflect(name, "gen") or name
    locative = inflect(name, "loc") or name
    return with_preposition("z", genitive), with_preposition("w", locative)
