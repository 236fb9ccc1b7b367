"""Signed tokens for the links in newsletter mail.

A confirmation link expires (CONFIRMATION_MAX_AGE); an unsubscribe link never
does, so that a years-old newsletter can still stop the next one. Both sign
the subscriber's random key, with different salts, so one cannot stand in for
the other.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from wiesci.newsletter.models import Subscriber

CONFIRMATION_MAX_AGE = timedelta(days=7)
CONFIRM_SALT = "wiesci.newsletter.confirm"
UNSUBSCRIBE_SALT = "wiesci.newsletter.unsubscribe"


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def confirmation_token(subscriber: Subscriber) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(subscriber.key)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(subscriber.key)


def subscriber_for_confirmation(token: str) -> Subscriber:
    """The subscriber a confirmation link names; TokenExpired or TokenInvalid."""
    try:
        key = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
            token, max_age=CONFIRMATION_MAX_AGE
        )
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    return _by_key(key)


def subscriber_for_unsubscribe(token: str) -> Subscriber:
    try:
        key = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        raise TokenInvalid from None
    return _by_key(key)


def _by_key(key: str) -> Subscriber:
    subscriber = Subscriber.objects.filter(key=key).first()
    if subscriber is None:  # erased since the mail was sent
        raise TokenInvalid
    return subscriber
