"""Every write names who makes it; the system acts under a name of its own."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import wiesci
from wiesci.core.actors import DEMO, SCHEDULER, SYSTEM_ACTORS

# The parameter that names the actor: `by`, or for a new comment its author.
ACTOR_PARAMETERS = {"by", "author"}


def service_modules() -> list[ModuleType]:
    """Every `services` module (or package module) of every app."""
    found = []
    for info in pkgutil.walk_packages(wiesci.__path__, "wiesci."):
        parts = info.name.split(".")
        private = any(part.startswith("_") for part in parts)
        if ".services" in info.name and ".migrations" not in info.name and not private:
            found.append(importlib.import_module(info.name))
    return found


def public_writes(module: ModuleType) -> list[tuple[str, Callable[..., Any]]]:
    return [
        (f"{module.__name__}.{name}", function)
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and not name.startswith("_")
        and function.__module__ == module.__name__
    ]


def test_the_services_are_found():
    names = {name for m in service_modules() for name, _ in public_writes(m)}
    assert {
        "wiesci.articles.services.workflow.publish_article",
        "wiesci.photos.services.create_photo",
        "wiesci.comments.services.post_comment",
        "wiesci.accounts.services.ban_reader",
    } <= names


# transaction.atomic opens a transaction before the call fails.
@pytest.mark.django_db
def test_every_public_service_refuses_to_run_without_an_actor():
    """Called with everything but the actor, each one raises TypeError before
    it does anything: no default lets a caller skip the permission check."""
    missing = []
    for module in service_modules():
        for name, function in public_writes(module):
            signature = inspect.signature(function)
            actors = [p for p in signature.parameters if p in ACTOR_PARAMETERS]
            if not actors:
                missing.append(name)
                continue
            actor = signature.parameters[actors[0]]
            assert actor.kind is inspect.Parameter.KEYWORD_ONLY, name
            assert actor.default is inspect.Parameter.empty, name
            positional: list[None] = []
            keywords: dict[str, None] = {}
            for parameter in signature.parameters.values():
                if parameter.name == actor.name or parameter.default is not (
                    inspect.Parameter.empty
                ):
                    continue
                if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                    keywords[parameter.name] = None
                else:
                    positional.append(None)
            with pytest.raises(TypeError, match=f"'{actor.name}'"):
                function(*positional, **keywords)
    assert missing == []


@pytest.mark.django_db
def test_the_systems_writes_are_audited_under_its_name(client, section, editor):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from wiesci.articles import services
    from wiesci.articles.models import Article, AuditEntry

    article = services.save_article(
        Article(title="Dożynki gminne", lead="L", section=section), by=DEMO
    )
    services.publish_article(article, by=DEMO, at=timezone.now() + timedelta(hours=1))
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    services.run_due_publications(by=SCHEDULER)
    log: list[tuple[str, int | None, str]] = list(
        AuditEntry.objects.filter(article=article)
        .order_by("pk")
        .values_list("action", "by", "by_system")
    )
    assert log == [
        ("created", None, "demo"),
        ("scheduled", None, "demo"),
        ("due", None, "scheduler"),
    ]
    client.force_login(editor)
    page = client.get(reverse("admin:articles_auditentry_changelist")).content.decode()
    assert str(SYSTEM_ACTORS["scheduler"].label) in page
    assert "harmonogram publikacji" in page and "wczytywanie demo" in page


@pytest.mark.django_db
def test_a_person_without_the_role_is_refused_whatever_the_call(section, reader):
    from django.core.exceptions import PermissionDenied

    from wiesci.articles import services
    from wiesci.articles.models import Article

    with pytest.raises(PermissionDenied, match="Nie możesz pisać artykułów"):
        services.save_article(Article(title="T", lead="L", section=section), by=reader)
    assert not Article.objects.exists()
