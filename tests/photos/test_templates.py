"""Pages show photos from ready-made files only, never the original."""

import pytest
from django.template import Context, Template

from wiesci.articles import services
from wiesci.core.actors import COMMAND

pytestmark = pytest.mark.django_db


def render(photo, size, **options):
    args = " ".join(f'{k}="{v}"' for k, v in options.items())
    return Template(f'{{% load photos %}}{{% picture photo "{size}" {args} %}}').render(
        Context({"photo": photo})
    )


def test_picture_has_srcset_sizes_dimensions_and_lazy_loading(make_photo):
    photo = make_photo()
    html = render(photo, "article", sizes="100vw", also="full")
    assert '<source type="image/webp"' in html
    assert 'width="640" height="480"' in html
    assert 'loading="lazy"' in html
    assert 'alt="Widok na Odrę"' in html
    assert html.count(" 640w") >= 2


def test_missing_size_falls_back_to_the_nearest_ready_one_never_the_original(
    make_photo,
):
    photo = make_photo()
    photo.renditions = {"mini": photo.renditions["mini"]}
    html = render(photo, "full")
    assert "mini_" in html
    assert "originals/" not in html
    photo.renditions = {}
    html = render(photo, "full")
    assert "<img" not in html
    assert 'role="img" aria-label="Widok na Odrę"' in html


def test_article_page_with_50_photos_runs_no_image_processing(
    client, make_article, make_photo, monkeypatch
):
    from tests.conftest import image_bytes

    article = make_article(title="Powódź 1997: archiwum")
    services.add_to_gallery(
        article, [make_photo(data=image_bytes((96, 64))) for _ in range(50)], by=COMMAND
    )

    def forbidden(*args, **kwargs):
        raise AssertionError("image processing while a page renders")

    import PIL.Image

    from wiesci.photos import processing

    monkeypatch.setattr(PIL.Image, "open", forbidden)
    monkeypatch.setattr(processing, "render", forbidden)
    monkeypatch.setattr(processing, "encode", forbidden)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="gallery__view"') == 50
