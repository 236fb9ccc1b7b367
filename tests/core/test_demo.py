"""`wiesci demo`: a portal that looks like a real county's on the first start."""

import io
import os
import re

from django.core.management import call_command
from django.test import TestCase, override_settings

from wiesci.accounts.models import User
from wiesci.articles.models import Article, GalleryItem
from wiesci.comments.models import Comment
from wiesci.photos.models import Photo
from wiesci.taxonomy.models import Organisation, Place, Section


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", no_serve=True, photo_width=240, stdout=out)
    return out.getvalue()


# The demo gives its servers a VAPID key through the environment and the
# settings; neither may outlive these tests.
@override_settings(VAPID_PRIVATE_KEY="")
class DemoTests(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        before = os.environ.get("WIESCI_VAPID_PRIVATE_KEY")
        cls.addClassCleanup(_restore, "WIESCI_VAPID_PRIVATE_KEY", before)
        cls.output = run_demo()

    def test_demo_loads_a_county_portal(self):
        assert Article.objects.published().count() >= 60
        assert Section.objects.count() >= 6
        assert Place.objects.count() >= 10
        assert Organisation.objects.count() >= 8
        kinds = set(Organisation.objects.values_list("kind", flat=True))
        assert {
            "library",
            "museum",
            "arboretum",
            "sports_club",
            "association",
            "culture_centre",
            "fire_brigade",
            "school",
        } <= kinds
        assert not Photo.objects.filter(renditions={}).exists()
        labelled = {name for a in Article.objects.all() for name in a.label_markers}
        assert {"ZAPOWIEDŹ", "OGŁOSZENIE URZĘDOWE", "RAPORT 998"} <= labelled
        assert Article.objects.filter(part__gt=1, videos__isnull=False).exists()
        assert GalleryItem.objects.values("article").distinct().count() >= 15
        assert Comment.objects.filter(status="approved").count() >= 10
        assert Comment.objects.filter(parent__isnull=False).exists()

    def test_demo_has_the_library_story_with_its_partners(self):
        story = Article.objects.get(slug__startswith="biblioteka-stawia-na-partnerow")
        kinds = set(story.organisations.values_list("kind", flat=True))
        assert {"library", "museum", "arboretum", "sports_club", "association"} <= kinds
        library = story.organisations.get(kind="library")
        partner_kinds = set(library.partners.values_list("kind", flat=True))
        assert {"museum", "arboretum", "sports_club", "association"} <= partner_kinds
        assert "szkoleni" in story.body

    def test_demo_has_stories_in_the_works_for_the_dashboard(self):
        waiting = Article.objects.get(status=Article.Status.IN_REVIEW)
        assert waiting.created_by is not None
        assert not waiting.created_by.has_perm("articles.publish_article")
        returned = Article.objects.get(
            status=Article.Status.DRAFT, audit__action="returned"
        )
        assert "strzelca" in returned.audit.get(action="returned").note
        editor = User.objects.get(username="redakcja")
        self.client.force_login(editor)
        page = self.client.get("/admin/").content.decode()
        assert waiting.title in page

    def test_demo_prints_the_editor_login_and_does_not_load_twice(self):
        assert "Demo editor: log in at" in self.output
        assert "“redakcja@wiesci.example.pl”" in self.output
        count = Article.objects.count()
        again = run_demo()
        assert "already holds content" in again
        assert Article.objects.count() == count
        assert self.client.login(
            username="redakcja", password=again.split("“")[-1].split("”")[0]
        )

    def test_demo_offers_breaking_news_notifications(self):
        assert "demo-vapid.key" in self.output
        page = self.client.get("/powiadomienia/").content.decode()
        # The browser gets the public half: an uncompressed P-256 point.
        assert re.search(r'data-key="B[A-Za-z0-9_-]{86}"', page), page

    def test_demo_pages_answer(self):
        story = Article.objects.get(slug__startswith="biblioteka-stawia-na-partnerow")
        for url in ("/", story.get_absolute_url(), "/dzial/kultura/", "/najnowsze/"):
            assert self.client.get(url).status_code == 200, url
