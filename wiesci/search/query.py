"""Searching the articles: `search_articles()` is the module's one door.

A query's words are analysed as the index's were. The backend finds the
candidates, every article that has each word in some form (exact, lemma or
folded), newest first, within the filters; the ranking below then orders
them, the same on SQLite and PostgreSQL:

- each word scores by where it stands (title 12, lead 6, body 0) plus in
  which form (exact 4, lemma 2, folded 1, a folded lemma 0), its best place
  counting: a title beats a lead beats a body, and within a field the exact
  form beats a lemma beats folding;
- a query of several words earns 8 for the phrase in the title, 4 for the
  phrase anywhere, 2 for each pair of neighbouring words standing near;
- equal scores go newest first (by the index's recency key).

The scores are whole numbers, worked out from what the backend matched and
from the title's and lead's stored terms, so both backends rank alike.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from wiesci.articles.models import Article
from wiesci.search import analysis
from wiesci.search.analysis import Word
from wiesci.search.backends import (
    AllOf,
    AnyOf,
    Expression,
    Near,
    Phrase,
    Term,
    backend,
)
from wiesci.search.models import SearchEntry, SearchWord
from wiesci.taxonomy.models import Place, Section

MAX_WORDS = 8
NEWSROOM_MATCHES = 2000
# The newest matches: the articles the ranking orders. A news site's reader
# wants recent stories; an older one is a word, a section or dates away.
# Ten pages of results; every candidate costs its document's read and its
# ranking, so this bounds the cost of a search (300 cost a third more).
CANDIDATES = 200

FIELD_SCORE = {"title": 12, "lead": 6, "body": 0}
KIND_SCORE = {"x": 4, "l": 2, "f": 1, "g": 0}
PHRASE_IN_TITLE = 8
PHRASE_ANYWHERE = 4
NEAR_PAIR = 2


@dataclass(frozen=True)
class Filters:
    section: Section | None = None
    place: Place | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass
class Results:
    """A query's ranked matches: ids best first, and what the page says."""

    words: list[Word]
    ranked: list[int] = field(default_factory=list)
    total: int = 0
    more: bool = False  # more matches than the ranking looked at
    suggestion: str = ""


def parse(text: str) -> list[Word]:
    """The query's meaningful words, each once, at most MAX_WORDS."""
    seen: set[str] = set()
    found = []
    for word in analysis.words(text[:500]):
        if word.exact not in seen:
            seen.add(word.exact)
            found.append(word)
    return found[:MAX_WORDS]


def word_expression(word: Word) -> Expression:
    return AnyOf(tuple(Term(term) for term in word.terms()))


def lemma_expression(word: Word) -> Expression:
    return AnyOf(tuple(Term(term) for term in sorted(word.lemma_terms)))


def phrase_expression(words: list[Word]) -> Expression:
    return AnyOf(
        (
            Phrase(tuple(f"x_{w.exact}" for w in words)),
            Phrase(tuple(f"l_{w.lemma}" for w in words)),
            Phrase(tuple(f"f_{w.folded}" for w in words)),
        )
    )


def where(*, public_only: bool, filters: Filters) -> tuple[str, list[Any]]:
    """The filters as an SQL condition on the articles table, written by the
    ORM from the same QuerySet methods every list uses."""
    articles: QuerySet[Article] = (
        Article.objects.published() if public_only else Article.objects.all()
    )
    if filters.section is not None:
        articles = articles.filter(section=filters.section)
    if filters.place is not None:
        articles = articles.filter(
            Exists(
                Article.places.through.objects.filter(
                    article_id=OuterRef("pk"), place=filters.place
                )
            )
        )
    if filters.since is not None:
        articles = articles.filter(published_at__gte=filters.since)
    if filters.until is not None:
        articles = articles.filter(published_at__lt=filters.until)
    query = articles.query
    if not query.where:
        return "1 = 1", []
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, list(params)


def matching_ids(text: str, *, public_only: bool = True) -> list[int]:
    """The newest articles matching each word of `text`, unranked (the
    newsroom's list, which sorts them its own way)."""
    words = parse(text)
    if not words:
        return []
    base = AllOf(tuple(word_expression(w) for w in words))
    condition = where(public_only=public_only, filters=Filters())
    matches = backend().match(base, where=condition, limit=NEWSROOM_MATCHES)
    return [match.article_id for match in matches]


def search_articles(text: str, *, filters: Filters | None = None) -> Results:
    """The public articles matching `text` within `filters`, best first."""
    filters = filters or Filters()
    words = parse(text)
    results = Results(words=words)
    if not words:
        return results
    index = backend()
    condition = where(public_only=True, filters=filters)
    base = AllOf(tuple(word_expression(w) for w in words))
    newest = index.match(base, where=condition, limit=CANDIDATES)
    by_key = {match.key: match.article_id for match in newest}
    results.total = len(by_key)
    results.more = len(newest) == CANDIDATES
    results.suggestion = suggest(words) if any(not w.known for w in words) else ""
    if not by_key:
        return results
    scores = rank(words, by_key)
    ranked = sorted(by_key, key=lambda key: (-scores[key], -key))
    results.ranked = [by_key[key] for key in ranked]
    return results


class Terms:
    """A field's space-separated terms, asked `term in terms` without
    splitting them: a lead holds hundreds, a query asks about a few."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = f" {text} "

    def __contains__(self, term: object) -> bool:
        return f" {term} " in self._text


class Fields:
    """A candidate's title and lead terms, split when first asked for."""

    __slots__ = ("_lead", "_title", "lead_text", "title_list", "title_text")

    def __init__(self, title: str, lead: str) -> None:
        self.title_text, self.lead_text = title, lead
        self.title_list: list[str] | None = None
        self._title: set[str] | None = None
        self._lead: Terms | None = None

    @property
    def title(self) -> set[str]:
        if self._title is None:
            self.title_list = self.title_text.split()
            self._title = set(self.title_list)
        return self._title

    @property
    def lead(self) -> Terms:
        if self._lead is None:
            self._lead = Terms(self.lead_text)
        return self._lead


def rank(words: list[Word], by_key: dict[int, int]) -> dict[int, int]:
    """Each candidate's score, by its key (see the module's docstring)."""
    index = backend()
    keys = list(by_key)
    fields = {
        key: Fields(title, lead)
        for key, title, lead in SearchEntry.objects.filter(
            recency_key__in=keys
        ).values_list("recency_key", "title_terms", "lead_terms")
    }
    blank = Fields("", "")
    # What the backend tells of the candidates' whole text, asked at once:
    # each word's exact form and lemmas, the phrase, neighbouring words near.
    features: list[Expression] = []
    for word in words:
        features += [Term(word.exact_term), lemma_expression(word)]
    pairs = [(a, b) for a, b in itertools.pairwise(words) if a.lemma != b.lemma]
    if len(words) > 1:
        features.append(phrase_expression(words))
        features += [Near(f"l_{a.lemma}", f"l_{b.lemma}") for a, b in pairs]
    hits = index.match_among(features, keys)
    scores = dict.fromkeys(keys, 0)
    for number, word in enumerate(words):
        exact, lemma = hits[2 * number], hits[2 * number + 1]
        for key in keys:
            entry = fields.get(key, blank)
            kind = word.kind_in(entry.title)
            if kind is not None:
                scores[key] += FIELD_SCORE["title"] + KIND_SCORE[kind]
                continue
            kind = word.kind_in(entry.lead)
            if kind is not None:
                scores[key] += FIELD_SCORE["lead"] + KIND_SCORE[kind]
                continue
            kind = "x" if key in exact else "l" if key in lemma else "f"
            scores[key] += FIELD_SCORE["body"] + KIND_SCORE[kind]
    if len(words) > 1:
        phrase, near = hits[2 * len(words)], hits[2 * len(words) + 1 :]
        for key in keys:
            if phrase_in(words, fields.get(key, blank)):
                scores[key] += PHRASE_IN_TITLE
            if key in phrase:
                scores[key] += PHRASE_ANYWHERE
            scores[key] += NEAR_PAIR * sum(1 for pair in near if key in pair)
    return scores


def phrase_in(words: list[Word], entry: Fields) -> bool:
    """Whether the words stand in a row, in one form, in the title."""
    title = entry.title
    for kind, form in (("x", "exact"), ("l", "lemma"), ("f", "folded")):
        wanted = [f"{kind}_{getattr(w, form)}" for w in words]
        if not title.issuperset(wanted):
            continue
        prefix = kind + "_"
        have = [term for term in entry.title_list or [] if term.startswith(prefix)]
        n = len(wanted)
        if any(have[i : i + n] == wanted for i in range(len(have) - n + 1)):
            return True
    return False


def suggest(words: list[Word]) -> str:
    """The query with each word neither the dictionary nor the portal knows
    replaced by the closest word of the public articles; '' if none is close."""
    changed = False
    corrected = []
    for word in words:
        better = closest(word) if not word.known else None
        if better and better != word.exact:
            corrected.append(better)
            changed = True
        else:
            corrected.append(word.exact)
    return " ".join(corrected) if changed else ""


def closest(word: Word) -> str | None:
    folded = word.folded
    if SearchWord.objects.filter(folded=folded).exists():
        return None  # a word of the portal's, typed without its diacritics
    if len(folded) < 3:
        return None
    nearby = list(
        SearchWord.objects.filter(folded__startswith=folded[0])
        .exclude(folded=folded)
        .order_by("-uses", "word")
        .values_list("word", "folded", "uses")[:5000]
    )
    nearby = [row for row in nearby if abs(len(row[1]) - len(folded)) <= 2]
    by_folded: dict[str, tuple[str, int]] = {}
    for exact, fold, uses in nearby:
        if fold not in by_folded or uses > by_folded[fold][1]:
            by_folded[fold] = (exact, uses)
    matches = difflib.get_close_matches(folded, list(by_folded), n=5, cutoff=0.75)
    if not matches:
        return None
    best = max(
        matches,
        key=lambda f: (
            round(difflib.SequenceMatcher(None, folded, f).ratio(), 2),
            by_folded[f][1],
        ),
    )
    return by_folded[best][0]
