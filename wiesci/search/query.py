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
- equal scores go newest first.

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
# The newest matches, and the newest with every word in the title: the
# articles the ranking orders (a news site's reader wants recent stories;
# an old one with the words in its title still makes it).
CANDIDATES = 400
TITLE_CANDIDATES = 100

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
    terms = [f"{kind}_{lemma}" for lemma in word.lemmas for kind in ("l", "a")]
    return AnyOf(tuple(Term(term) for term in terms))


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
    """Every article matching each word of `text`, newest first (no ranking)."""
    words = parse(text)
    if not words:
        return []
    base = AllOf(tuple(word_expression(w) for w in words))
    return backend().match(
        base, where=where(public_only=public_only, filters=Filters())
    )


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
    titled = index.match(base, where=condition, title_only=True, limit=TITLE_CANDIDATES)
    candidates = list(dict.fromkeys([*titled, *newest]))
    results.total = (
        len(candidates)
        if len(newest) < CANDIDATES
        else index.count(base, where=condition)
    )
    results.suggestion = suggest(words) if any(not w.known for w in words) else ""
    if not candidates:
        return results
    scores = rank(words, candidates)
    published = {
        pk: moment.timestamp() if moment else 0.0
        for pk, moment in Article.objects.filter(pk__in=candidates).values_list(
            "pk", "published_at"
        )
    }
    results.ranked = sorted(
        candidates, key=lambda pk: (-scores[pk], -published[pk], -pk)
    )
    return results


def rank(words: list[Word], candidates: list[int]) -> dict[int, int]:
    """Each candidate's score (see the module's docstring)."""
    index = backend()
    anywhere: tuple[str, list[Any]] = ("1 = 1", [])
    streams = {
        pk: (title, lead)
        for pk, title, lead in SearchEntry.objects.filter(
            article_id__in=candidates
        ).values_list("article_id", "title_terms", "lead_terms")
    }
    fields = {
        pk: (set(title.split()), set(lead.split()))
        for pk, (title, lead) in streams.items()
    }
    scores = dict.fromkeys(candidates, 0)
    for word in words:
        in_body = [
            pk
            for pk in candidates
            if field_kind(word, fields.get(pk, (set(), set()))[0]) is None
            and field_kind(word, fields.get(pk, (set(), set()))[1]) is None
        ]
        exact = set()
        lemma = set()
        if in_body:
            exact = set(
                index.match(Term(f"x_{word.exact}"), where=anywhere, within=in_body)
            )
            lemma = set(
                index.match(lemma_expression(word), where=anywhere, within=in_body)
            )
        for pk in candidates:
            title, lead = fields.get(pk, (set(), set()))
            best = []
            for name, terms in (("title", title), ("lead", lead)):
                kind = field_kind(word, terms)
                if kind is not None:
                    best.append(FIELD_SCORE[name] + KIND_SCORE[kind])
            if not best:
                kind = "x" if pk in exact else "l" if pk in lemma else "f"
                best.append(FIELD_SCORE["body"] + KIND_SCORE[kind])
            scores[pk] += max(best)
    if len(words) > 1:
        for pk in candidates:
            if phrase_in(words, streams.get(pk, ("", ""))[0]):
                scores[pk] += PHRASE_IN_TITLE
        for pk in index.match(
            phrase_expression(words), where=anywhere, within=candidates
        ):
            scores[pk] += PHRASE_ANYWHERE
        for first, second in itertools.pairwise(words):
            if first.lemma == second.lemma:
                continue
            near = Near(f"l_{first.lemma}", f"l_{second.lemma}")
            for pk in index.match(near, where=anywhere, within=candidates):
                scores[pk] += NEAR_PAIR
    return scores


def field_kind(word: Word, terms: set[str]) -> str | None:
    """The strongest form of `word` among a field's terms: x, l, f, g or None."""
    if f"x_{word.exact}" in terms:
        return "x"
    if any(f"{k}_{lemma}" in terms for lemma in word.lemmas for k in ("l", "a")):
        return "l"
    if f"f_{word.folded}" in terms:
        return "f"
    if any(f"g_{lemma}" in terms for lemma in word.folded_lemmas):
        return "g"
    return None


def phrase_in(words: list[Word], stream: str) -> bool:
    """Whether the words stand in a row, in one form, in a stored stream."""
    for kind, form in (("x", "exact"), ("l", "lemma"), ("f", "folded")):
        wanted = [f"{kind}_{getattr(w, form)}" for w in words]
        have = analysis.kind_sequence(stream, kind)
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
