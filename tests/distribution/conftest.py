"""Fixtures of the distribution tests: a story with everything a feed,
sitemap or structured data shows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import image_bytes
from wiesci.articles import services
from wiesci.articles.models import Author
from wiesci.core.actors import COMMAND
from wiesci.taxonomy.models import Organisation, Place, Tag


@pytest.fixture
def story(make_article: Any, make_photo: Any) -> Any:
    """A published story with a main photo, a gallery, an author, a place, a
    tag, an organisation, a label and a correction."""
    place = Place.objects.create(name="Krzanowice", gmina="Krzanowice")
    article = make_article(
        title="Dożynki w Krzanowicach & okolicy",
        lead="Korowód przeszedł przez rynek; wieńce oceniło jury.",
        main_photo=make_photo(
            data=image_bytes((1600, 1200)), caption="Korowód", credit="Fot. Anna"
        ),
    )
    article.places.add(place)
    article.tags.add(Tag.objects.create(name="dożynki"))
    article.organisations.add(Organisation.objects.create(name="GOK", place=place))
    article.authors.add(Author.objects.create(name="Anna Kowalczyk"))
    services.add_to_gallery(
        article, [make_photo(data=image_bytes((800, 600)))], by=COMMAND
    )
    services.add_correction(article, by=COMMAND, text="Poprawiono nazwę sołectwa.")
    return article
