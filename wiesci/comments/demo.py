"""A few neighbours' comments under the demo news."""

from __future__ import annotations

from datetime import timedelta

from wiesci.accounts.models import User
from wiesci.articles.models import Article
from wiesci.comments.models import Comment
from wiesci.comments.services import recount
from wiesci.core.actors import DEMO
from wiesci.core.demo import DemoContext

# (reply to the previous comment?, text) — written for the demo.
VOICES = [
    (False, "Byłam w sobotę z dziećmi, świetna organizacja. Oby częściej!"),
    (True, "Zgadzam się, tylko parkingu brakowało. Może następnym razem przy szkole?"),
    (False, "Dziękujemy strażakom za szybką akcję. Pół wsi widziało dym."),
    (
        False,
        "Czy wiadomo już, kiedy skończą remont tej drogi? "
        "Objazd przez Brzezie to koszmar.",
    ),
    (True, "Podobno do końca miesiąca, tak mówili na zebraniu sołeckim."),
    (False, "Piękne zdjęcia. Pamiętam ten budynek jeszcze sprzed powodzi."),
    (False, "Brawo dla juniorów! Drugi gol był naprawdę ładny."),
    (True, "Trener wykonał kawał dobrej roboty, widać postęp od jesieni."),
    (
        False,
        "Biblioteka robi coraz więcej dobrego. "
        "Kącik na stadionie to strzał w dziesiątkę.",
    ),
    (False, "Szkoda, że znowu w dzień roboczy. Pracujący nie mają szans przyjść."),
    (True, "Nagranie ma być później na stronie gminy, tak przynajmniej obiecali."),
    (
        False,
        "Wały w Brzeziu wyglądają dziś dużo lepiej niż w 1997 roku. Dobrze, że ćwiczą.",
    ),
]


def load(context: DemoContext) -> None:
    readers = list(User.objects.filter(is_staff=False).order_by("pk"))
    articles = list(
        Article.objects.published().filter(comments_open=True).newest_first()[:12]
    )
    if not readers or not articles:
        return
    made = 0
    previous: Comment | None = None
    for i, (is_reply, text) in enumerate(VOICES):
        article = articles[(i // 2) % len(articles)]
        parent = (
            previous if is_reply and previous and previous.article == article else None
        )
        assert article.published_at is not None  # noqa: S101 (published() says so)
        created = article.published_at + timedelta(hours=1 + i)
        comment = Comment.objects.create(
            article=article,
            author=readers[i % len(readers)],
            parent=parent,
            body=text,
            token=f"demo-{i}",
            status=Comment.Status.APPROVED,
        )
        Comment.objects.filter(pk=comment.pk).update(
            created_at=min(created, context.now)
        )
        previous = comment if parent is None else previous
        made += 1
    for article in articles:
        recount(article.pk, by=DEMO)
    context.say(f"  {made} readers' comments")
