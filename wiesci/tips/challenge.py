"""The tip form's question for people, with no third-party service.

A sum or a difference of small numbers written in words ("Ile to jest trzy
plus cztery?"). Its answer travels with the form in a signed, time-stamped
token, so the server keeps nothing until the form comes back: a token is good
for one answer only (the used ones are remembered in the cache until they
expire), not before MIN_SECONDS (a bot posts at once) and not after MAX_AGE.
"""

from __future__ import annotations

import secrets
import time
import unicodedata
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

SALT = "wiesci.tips.challenge"
MAX_AGE = 2 * 60 * 60
# Nobody reads the form, types what they saw and answers in less.
MIN_SECONDS = 3

NUMBERS = [
    pgettext_lazy("number in words", "zero"),
    pgettext_lazy("number in words", "one"),
    pgettext_lazy("number in words", "two"),
    pgettext_lazy("number in words", "three"),
    pgettext_lazy("number in words", "four"),
    pgettext_lazy("number in words", "five"),
    pgettext_lazy("number in words", "six"),
    pgettext_lazy("number in words", "seven"),
    pgettext_lazy("number in words", "eight"),
    pgettext_lazy("number in words", "nine"),
]


class ChallengeFailed(ValidationError):
    """The answer is wrong, or the token is forged, stale, early or used."""


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def new_challenge() -> Challenge:
    """A question with an answer from 1 to 9 and the token that carries it."""
    first = secrets.randbelow(8) + 2
    second = secrets.randbelow(first - 1) + 1
    if secrets.randbelow(2) and first + second <= 9:
        answer = first + second
        question = _("What is %(first)s plus %(second)s?")
    else:
        answer = first - second
        question = _("What is %(first)s minus %(second)s?")
    words = {"first": NUMBERS[first], "second": NUMBERS[second]}
    token = signing.dumps(
        {"a": answer, "t": int(time.time()), "n": secrets.token_urlsafe(12)},
        salt=SALT,
    )
    return Challenge(question % words, token)


def _folded(text: str) -> str:
    """Lower case without diacritics: "Pięć", "piec" and "PIĘĆ" are one answer."""
    text = unicodedata.normalize("NFKD", text.strip().lower().replace("ł", "l"))
    return "".join(c for c in text if not unicodedata.combining(c)).rstrip(".")


def _answer_of(text: str) -> int | None:
    text = _folded(text)
    if text.isdigit():
        return int(text)
    words = [_folded(str(word)) for word in NUMBERS]
    return words.index(text) if text in words else None


def check(token: str, answer: str) -> None:
    """Accept the answer to the token's question once; raise ChallengeFailed
    with a message for the reader otherwise.

    The token is spent whatever the answer, so no one can try the answers
    one by one with it: the form that comes back asks a new question.
    """
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ChallengeFailed(
            _(
                "The form was open for too long. Answer the new question below "
                "and send it again."
            ),
            code="expired",
        ) from None
    except signing.BadSignature:
        raise ChallengeFailed(
            _("Answer the question below and send the form again."),
            code="invalid",
        ) from None
    if time.time() - int(data["t"]) < MIN_SECONDS:
        raise ChallengeFailed(
            _(
                "The form was sent too quickly to have been filled in by a "
                "person. Answer the new question and send it again."
            ),
            code="early",
        )
    if not cache.add(f"tips:challenge:{data['n']}", 1, MAX_AGE):
        raise ChallengeFailed(
            _(
                "This form has already been sent once. Answer the new question "
                "and send it again."
            ),
            code="used",
        )
    if _answer_of(answer) != int(data["a"]):
        raise ChallengeFailed(
            _(
                "The answer to the question is not right. Answer the new "
                "question and send the form again."
            ),
            code="wrong",
        )
