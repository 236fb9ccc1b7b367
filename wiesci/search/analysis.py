"""The Polish analyser: text into the terms the index stores and queries ask for.

One analyser serves indexing and querying, so a word is always turned into
the same terms. Each word of a text gives:

- its exact form, lower-cased (`x_raciborzu`);
- its lemma, from the Morfeusz 2 dictionary (`l_racibórz`), and, for a form
  the dictionary reads several ways, the other lemmas (`a_…`), which match
  but carry no position: "Wielkie" is `l_wielki` and `a_wielkie`;
- its form with the diacritics folded (`f_raciborzu`), and its lemmas folded
  (`g_raciborz`), the weakest matches, for readers who type without Polish
  letters ("Nedza" finds "Nędza" and "Nędzy").

Stop words are dropped, numbers kept, hyphenated names split into their
words ("Bielsko-Biała"). A field's terms are laid out as one stream per kind
(exact, lemma, folded, then the other lemmas), word after word (the other lemmas and the
folded lemmas follow, unaligned), so that a phrase or proximity query within
one kind sees the words' real order; both backends store exactly this layout.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass
from typing import Any

# Words that carry no meaning a reader searches for.
STOP_WORDS = frozenset(
    [
        "a",
        "aby",
        "ach",
        "acz",
        "aczkolwiek",
        "aj",
        "albo",
        "ale",
        "ani",
        "aż",
        "bardziej",
        "bardzo",
        "bez",
        "bo",
        "bowiem",
        "by",
        "byli",
        "bym",
        "być",
        "był",
        "była",
        "było",
        "były",
        "będzie",
        "będą",
        "cali",
        "cała",
        "cały",
        "ci",
        "cię",
        "ciebie",
        "co",
        "czy",
        "czyli",
        "dla",
        "do",
        "gdy",
        "gdyż",
        "gdzie",
        "go",
        "i",
        "ich",
        "ile",
        "im",
        "inna",
        "inne",
        "inny",
        "iż",
        "ja",
        "jak",
        "jaka",
        "jakie",
        "jako",
        "je",
        "jego",
        "jej",
        "jemu",
        "jest",
        "jestem",
        "jeszcze",
        "jeśli",
        "jeżeli",
        "już",
        "ją",
        "każdy",
        "kiedy",
        "kto",
        "która",
        "które",
        "którego",
        "której",
        "który",
        "których",
        "którym",
        "którzy",
        "ku",
        "lub",
        "ma",
        "mają",
        "mi",
        "mnie",
        "mu",
        "my",
        "na",
        "nad",
        "nam",
        "nas",
        "nawet",
        "nic",
        "nich",
        "nie",
        "niech",
        "niego",
        "niej",
        "nim",
        "niż",
        "no",
        "o",
        "od",
        "oraz",
        "on",
        "ona",
        "one",
        "oni",
        "ono",
        "po",
        "pod",
        "podczas",
        "ponad",
        "przed",
        "przez",
        "przy",
        "sam",
        "się",
        "są",
        "ta",
        "tak",
        "taka",
        "takie",
        "także",
        "tam",
        "te",
        "tego",
        "tej",
        "ten",
        "też",
        "to",
        "tu",
        "tutaj",
        "tych",
        "tylko",
        "tym",
        "tą",
        "u",
        "w",
        "we",
        "więc",
        "wszystko",
        "z",
        "za",
        "ze",
        "że",
        "żeby",
    ]
)

WORD = re.compile(r"[^\W_]+", re.UNICODE)
# ł has no decomposition in Unicode; every other Polish letter folds by NFKD.
_NO_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "L"})
KINDS = ("x", "l", "f")  # the aligned streams, strongest first


def fold(word: str) -> str:
    """The word without diacritics: "nędza" → "nedza", "łódź" → "lodz"."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_NO_DECOMPOSITION))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Word:
    """One word as the index knows it; made (and cached) by `analyse_word`."""

    exact: str
    lemma: str  # the primary lemma, kept in order with the other words
    others: tuple[str, ...]  # further lemmas of an ambiguous form
    folded: str
    known: bool  # whether the dictionary knows it (or it is a number)
    # The lemmas without diacritics: "Nedza", typed so, is "nędza".
    folded_lemmas: tuple[str, ...]
    # The terms a stored stream holds for this word in each kind of match.
    exact_term: str
    lemma_terms: frozenset[str]  # l_ and a_ of every lemma
    folded_term: str
    folded_lemma_terms: frozenset[str]
    # All of them: what a token must share with a query to be highlighted.
    all_terms: frozenset[str]

    @property
    def lemmas(self) -> tuple[str, ...]:
        return (self.lemma, *self.others)

    def terms(self) -> list[str]:
        """Every term that matches this word, in any stream."""
        return [
            self.exact_term,
            *sorted(self.lemma_terms),
            self.folded_term,
            *sorted(self.folded_lemma_terms),
        ]

    def kind_in(self, terms: Container[str]) -> str | None:
        """The strongest form of this word among a field's terms: x (exact),
        l (a lemma), f (folded), g (a folded lemma), or None."""
        if self.exact_term in terms:
            return "x"
        if any(term in terms for term in self.lemma_terms):
            return "l"
        if self.folded_term in terms:
            return "f"
        if any(term in terms for term in self.folded_lemma_terms):
            return "g"
        return None


def _word(exact: str, lemmas: list[str], *, known: bool = True) -> Word:
    folded_lemmas = tuple(dict.fromkeys(fold(lemma) for lemma in lemmas))
    folded = fold(exact)
    lemma_terms = frozenset(f"{k}_{lemma}" for lemma in lemmas for k in ("l", "a"))
    folded_lemma_terms = frozenset(f"g_{lemma}" for lemma in folded_lemmas)
    return Word(
        exact=exact,
        lemma=lemmas[0],
        others=tuple(lemmas[1:]),
        folded=folded,
        known=known,
        folded_lemmas=folded_lemmas,
        exact_term=f"x_{exact}",
        lemma_terms=lemma_terms,
        folded_term=f"f_{folded}",
        folded_lemma_terms=folded_lemma_terms,
        all_terms=frozenset(
            {f"x_{exact}", f"f_{folded}", *lemma_terms, *folded_lemma_terms}
        ),
    )


_local = threading.local()


def _morfeusz() -> Any:
    # Morfeusz instances are not thread-safe; each thread keeps its own.
    if not hasattr(_local, "morfeusz"):
        import morfeusz2

        _local.morfeusz = morfeusz2.Morfeusz(generate=False, expand_tags=False)
    return _local.morfeusz


@functools.lru_cache(maxsize=400_000)
def analyse_word(token: str) -> Word | None:
    """The index's view of one token as written; None for a stop word.

    Cached: a reindex meets the same few tens of thousands of words again and
    again, and the dictionary is asked once for each.
    """
    exact = token.lower()
    if exact in STOP_WORDS:
        return None
    if exact.isdigit():
        return _word(exact, [exact])
    counts: Counter[str] = Counter()
    for _, _, (_, lemma, tag, *_rest) in _morfeusz().analyse(token):
        if tag.startswith(("interp", "ign")):
            continue
        counts[lemma.split(":", 1)[0].lower()] += 1
    # The most frequent reading first; ties go alphabetically, so the choice
    # never depends on the dictionary's order.
    lemmas = sorted(counts, key=lambda lemma: (-counts[lemma], lemma))
    if not lemmas:
        return _word(exact, [exact], known=False)
    return _word(exact, lemmas)


def words(text: str) -> list[Word]:
    """The meaningful words of `text`, in order."""
    found = []
    for token in WORD.findall(text):
        word = analyse_word(token)
        if word is not None:
            found.append(word)
    return found


def stream(text: str) -> str:
    """A field's terms in the index's layout: the exact forms word after word,
    then the lemmas, then the folded forms, then the other lemmas."""
    analysed = words(text)
    parts = [
        [f"x_{w.exact}" for w in analysed],
        [f"l_{w.lemma}" for w in analysed],
        [f"f_{w.folded}" for w in analysed],
        [f"a_{lemma}" for w in analysed for lemma in w.others],
        [f"g_{lemma}" for w in analysed for lemma in w.folded_lemmas],
    ]
    return " ".join(term for part in parts for term in part)
