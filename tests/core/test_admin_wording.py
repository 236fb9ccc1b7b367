"""The admin speaks Polish without listing every gender at once."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from wiesci.taxonomy.models import Tag

pytestmark = pytest.mark.django_db


def test_saving_in_the_admin_is_confirmed_in_plain_polish(editor):
    client = Client()
    client.force_login(editor)
    response = client.post(
        reverse("admin:taxonomy_tag_add"), {"name": "powódź"}, follow=True
    )
    message = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "Dodano: tag „powódź”." in message
    tag = Tag.objects.get(name="powódź")
    response = client.post(
        reverse("admin:taxonomy_tag_change", args=[tag.pk]),
        {"name": "powódź 2026", "slug": tag.slug},
        follow=True,
    )
    page = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "Zapisano zmiany: tag „powódź 2026”." in page
    assert not re.search(r"\w\((a|-\w+)\)", page)
