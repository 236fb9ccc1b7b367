"""Every page type readers, reader accounts and the newsroom reach, found from the URLs.

`page_urls()` builds a small portal and returns an address for every named
URL pattern outside the admin, so that the checks run on each page type; a
new pattern either gets an address here or a reason in SKIPPED, or
`test_every_page_type_is_known` fails.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.browser.checkers import status_problem
from tests.conftest import image_bytes, staff_member
from wiesci.core.actors import COMMAND

# Patterns that render no page of their own, with the reason.
SKIPPED = {
    "comments:post": "takes a POST and redirects to the article",
    "articles:reads": "takes an article page's beacon (POST) and answers 204",
    "google_login": "hands over to Google (off until configured)",
    "google_callback": "Google's return address",
    "google_login_by_token": "a token endpoint for apps",
    "facebook_login": "hands over to Facebook (off until configured)",
    "facebook_callback": "Facebook's return address",
    "facebook_login_by_token": "a token endpoint for apps",
    "socialaccount_signup": "needs a half-finished social log-in in the session",
    "account_confirm_login_code": "log-in by code is off",
    "account_set_password": "redirects: every account has a password",
    "accounts:download": "a JSON file, read in tests/accounts/test_names_and_duties.py",
    "account_confirm_reauthentication_code": (
        "redirects until a code was requested in the same session"
    ),
}
SKIPPED |= dict.fromkeys(
    (
        "events:feed",
        "events:place_feed",
        "events:organisation_feed",
        "events:ics",
        "notices:text",
        "live:poll",
    ),
    "iCalendar, plain text or JSON, parsed in tests/events, tests/notices, tests/live",
)
SKIPPED |= dict.fromkeys(
    ("newsletter:confirm", "newsletter:unsubscribe"),
    "need a signed token from a mail: walked in tests/browser/test_newsletter.py",
)
SKIPPED["tips:preview"] = (
    "a staff-only JPEG of a reader's photo, checked in tests/tips/test_tips.py"
)
SKIPPED |= dict.fromkeys(
    ("push:subscribe", "push:unsubscribe"),
    "JSON endpoints the notifications page's script posts to, in tests/push",
)
SKIPPED["push:service-worker"] = "the service worker script, read in tests/push"
SKIPPED |= dict.fromkeys(
    ("operations:health", "operations:metrics"),
    "the operator's JSON and Prometheus text, read in tests/operations",
)
# Machine-readable answers, checked by their own parsers in
# tests/distribution (feedparser, the sitemap schemas, JSON, Pillow).
SKIPPED |= {
    f"distribution:{name}": "not HTML: read by feed readers, crawlers or browsers"
    for name in (
        "rss",
        "atom",
        *(
            f"{kind}-{fmt}"
            for kind in ("section", "tag", "place", "organisation", "author")
            for fmt in ("rss", "atom")
        ),
        "sitemap",
        "sitemap-pages",
        "sitemap-news",
        "sitemap-month",
        "robots",
        "manifest",
        "icon",
        "indexnow-key",
    )
}

# Which visitor opens each page: anonymous, a reader, or an editor.
READER_PAGES = {
    "account_email",
    "account_change_password",
    "account_logout",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "socialaccount_connections",
    "accounts:account",
    "accounts:delete",
    "comments:edit",
    "comments:delete",
    "comments:report",
    "comments:appeal",
}
EDITOR_PAGES = {"articles:preview"}
VISITORS = ("anonymous", "reader", "editor")

# Page types that deliberately answer something other than 200, with the reason.
STATUS = {
    "socialaccount_login_error": 401,  # allauth's page for a failed social log-in
    "404": 404,  # the portal's own "page not found"
}


@dataclass
class Page:
    name: str
    url: str
    visitor: str  # "anonymous", "reader" or "editor"
    # What the page answers: 200 for every real page, so that one that
    # silently turns into a 403, a 404 or a redirect fails the checks.
    status: int = 200


def url_names() -> set[str]:
    """Every named pattern outside the admin."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def build_portal() -> dict[str, Any]:
    """A small portal with one of everything; returns the objects pages need."""
    from allauth.account.models import EmailAddress
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site

    from wiesci.accounts.models import User
    from wiesci.articles import services
    from wiesci.articles.models import Article, Author, Label
    from wiesci.comments import services as comments
    from wiesci.comments.models import ModerationSettings
    from wiesci.photos.services import create_photo, create_video
    from wiesci.taxonomy.models import Organisation, Place, Section, Tag

    section = Section.objects.create(
        name="Kultura", slug="kultura", description="Kultura w powiecie."
    )
    place = Place.objects.create(name="Racibórz", gmina="Racibórz", kind="town")
    library = Organisation.objects.create(
        name="Biblioteka", kind="library", place=place
    )
    museum = Organisation.objects.create(name="Muzeum", kind="museum", place=place)
    library.partners.add(museum)
    tag = Tag.objects.create(name="biblioteki")
    label = Label.objects.get_or_create(name="ZAPOWIEDŹ")[0]
    portrait = create_photo(
        io.BytesIO(image_bytes((400, 400))),
        alt_text="Anna Kowalczyk",
        renditions="now",
        by=COMMAND,
    )
    author = Author.objects.create(
        name="Anna Kowalczyk", bio="Pisze o kulturze.", photo=portrait
    )
    editor = staff_member("redaktorka", "Redaktor")
    reader = User.objects.create_user(
        "sasiad", "sasiad@example.pl", "Odra-1997-powodz", display_name="Sąsiad z Ocic"
    )
    EmailAddress.objects.create(
        user=reader, email=reader.email, verified=True, primary=True
    )
    other_reader = User.objects.create_user(
        "druga", "druga@example.pl", "Odra-1997-powodz", display_name="Druga Sąsiadka"
    )
    EmailAddress.objects.create(
        user=other_reader, email=other_reader.email, verified=True, primary=True
    )
    policy = ModerationSettings.current()
    policy.premoderate_first = 0
    policy.save()

    def story(title: str, **fields: Any) -> Article:
        article = services.save_article(
            Article(
                title=title,
                lead=f"{title}: krótki lead.",
                section=section,
                body="<p>Pierwszy akapit.</p><h2>Śródtytuł</h2><p>Drugi akapit.</p>",
                **fields,
            ),
            by=COMMAND,
        )
        return article

    articles = [story(f"Wiadomość z powiatu {i}") for i in range(4)]
    for i, article in enumerate(articles):
        services.publish_article(
            article, at=timezone.now() - timedelta(hours=i + 2), by=COMMAND
        )
    main = story("Biblioteka stawia na partnerów")
    main.tags.add(tag)
    main.places.add(place)
    main.organisations.add(library, museum)
    main.authors.add(author)
    main.labels.add(label)
    photos = [
        create_photo(
            io.BytesIO(image_bytes((900, 600), color=color)),
            alt_text=f"Zdjęcie {i}",
            caption=f"Podpis {i}",
            credit="Fot. Redakcja",
            renditions="now",
            by=COMMAND,
        )
        for i, color in enumerate(["steelblue", "darkgreen"])
    ]
    services.add_to_gallery(main, photos, by=COMMAND)
    poster = create_photo(
        io.BytesIO(image_bytes((960, 540))),
        alt_text="Kadr z filmu",
        renditions="now",
        by=COMMAND,
    )
    main.videos.add(
        create_video(
            title="Film ze spotkania",
            url="https://www.youtube.com/watch?v=AbCdEfGhIjK",
            poster=poster,
            by=COMMAND,
        )
    )
    services.publish_article(main, at=timezone.now() - timedelta(hours=1), by=COMMAND)
    services.add_correction(main, by=COMMAND, text="Poprawiliśmy nazwę programu.")
    first = comments.post_comment(
        main, author=reader, body="Świetna inicjatywa!", token="a"
    )
    reply = comments.post_comment(
        main, author=other_reader, body="Zgadzam się.", token="b", parent=first
    )
    # Posted a while ago, so these readers may comment again at once (new
    # accounts wait 30 s between comments); the first comment still inside
    # the 15 minutes its author may edit it, so its edit page is the form.
    type(first).objects.filter(pk=reply.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    type(first).objects.filter(pk=first.pk).update(
        created_at=timezone.now() - timedelta(minutes=1)
    )
    about = FlatPage.objects.create(
        url="/o-nas/",
        title="O nas",
        content="<p>Wieści to serwis informacyjny Raciborza i powiatu.</p>"
        "<h2>Redakcja</h2><p>Piszą dla Was dziennikarze z okolicy.</p>",
    )
    about.sites.add(Site.objects.get_current())
    draft = story("Szkic na jutro")
    token = services.share_article(draft, by=editor)
    event, notice = calendar_and_notice(place, library, main)
    live_coverage(main)
    return {
        "section": section,
        "place": place,
        "organisation": library,
        "tag": tag,
        "author": author,
        "article": main,
        "draft": draft,
        "share_token": token,
        "comment": first,
        "others_comment": reply,
        "flatpage": about,
        "reader": reader,
        "editor": editor,
        "event": event,
        "notice": notice,
    }


def live_coverage(article: Any) -> None:
    """Live coverage on `article`: key facts and two updates, one with a link."""
    from wiesci.live import services as live

    coverage = live.start_coverage(
        article,
        by=COMMAND,
        key_facts="Wstęp wolny\nZapisy w bibliotece do piątku",
    )
    live.add_update(
        coverage, by=COMMAND, text="Sala jest już pełna, trwa dostawianie krzeseł."
    )
    live.add_update(
        coverage,
        by=COMMAND,
        text="Zaczynamy!\n\nProgram spotkania: https://example.org/program",
    )


def calendar_and_notice(place: Any, library: Any, preview: Any) -> tuple[Any, Any]:
    """An event announced by `preview` and a current notice with a PDF."""
    from django.core.files.base import ContentFile

    from wiesci.events import services as events
    from wiesci.events.models import Event
    from wiesci.notices import services as notices
    from wiesci.notices.models import Notice
    from wiesci.taxonomy.models import Organisation

    event = Event(
        title="Spotkanie autorskie w bibliotece",
        starts_at=timezone.now() + timedelta(days=1),
        venue=library,
        kind="meeting",
        is_free=True,
        preview=preview,
        description="Rozmowa o książce i podpisywanie egzemplarzy.",
    )
    event.save()
    event.organisers.add(library)
    events.publish_event(event, by=COMMAND)
    notice = Notice(
        title="Wykaz nieruchomości przeznaczonych do dzierżawy",
        issuer=Organisation.objects.create(name="Urząd Miasta Racibórz", kind="office"),
        reference="GN.6845.1.2026",
        body="Prezydent Miasta podaje do publicznej wiadomości wykaz działek.",
        stays_until=timezone.localdate() + timedelta(days=21),
    )
    notice.save()
    notice.places.add(place)
    notices.add_attachment(
        notice,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="wykaz.pdf"),
        title="Wykaz działek",
        by=COMMAND,
    )
    notices.publish_notice(notice, by=COMMAND)
    return event, notice


def page_urls(portal: dict[str, Any]) -> list[Page]:
    article, comment = portal["article"], portal["comment"]
    addresses = {
        "articles:home": reverse("articles:home"),
        "articles:latest": reverse("articles:latest"),
        "articles:detail": article.get_absolute_url(),
        "articles:section": portal["section"].get_absolute_url(),
        "articles:tag": portal["tag"].get_absolute_url(),
        "articles:place": portal["place"].get_absolute_url(),
        "articles:organisation": portal["organisation"].get_absolute_url(),
        "articles:author": portal["author"].get_absolute_url(),
        "articles:corrections": reverse("articles:corrections"),
        "search:results": reverse("search:results") + "?q=biblioteka",
        "articles:preview": reverse("articles:preview", args=[portal["draft"].pk]),
        "articles:shared_preview": reverse(
            "articles:shared_preview", args=[portal["share_token"]]
        ),
        "comments:edit": reverse("comments:edit", args=[comment.pk]),
        "comments:delete": reverse("comments:delete", args=[comment.pk]),
        "comments:report": reverse(
            "comments:report", args=[portal["others_comment"].pk]
        ),
        # The reader's own comment: the page tells where an appeal stands.
        "comments:appeal": reverse("comments:appeal", args=[comment.pk]),
        "accounts:account": reverse("accounts:account"),
        "accounts:delete": reverse("accounts:delete"),
        "account_login": reverse("account_login"),
        "account_logout": reverse("account_logout"),
        "account_inactive": reverse("account_inactive"),
        "account_signup": reverse("account_signup"),
        "account_reauthenticate": reverse("account_reauthenticate"),
        "account_request_reauthentication_code": reverse(
            "account_request_reauthentication_code"
        ),
        "account_email": reverse("account_email"),
        "account_email_verification_sent": reverse("account_email_verification_sent"),
        "account_change_password": reverse("account_change_password"),
        "account_reset_password": reverse("account_reset_password"),
        "account_confirm_email": reverse(
            "account_confirm_email", args=["nieznany-klucz"]
        ),
        "account_reset_password_from_key_done": reverse(
            "account_reset_password_from_key_done"
        ),
        "account_reset_password_from_key": reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": "1", "key": "zly-klucz"},
        ),
        "account_reset_password_done": reverse("account_reset_password_done"),
        "socialaccount_login_cancelled": reverse("socialaccount_login_cancelled"),
        "socialaccount_login_error": reverse("socialaccount_login_error"),
        "socialaccount_connections": reverse("socialaccount_connections"),
        "events:upcoming": reverse("events:upcoming"),
        "events:archive": reverse("events:archive"),
        "events:period": reverse("events:period", args=["weekend"]),
        "events:month": reverse(
            "events:month",
            args=[portal["event"].starts_at.year, portal["event"].starts_at.month],
        ),
        "events:detail": portal["event"].get_absolute_url(),
        "newsletter:subscribe": reverse("newsletter:subscribe"),
        "push:settings": reverse("push:settings"),
        "tips:submit": reverse("tips:submit"),
        "tips:thanks": reverse("tips:thanks"),
        "notices:current": reverse("notices:current"),
        "notices:archive": reverse("notices:archive"),
        "notices:detail": portal["notice"].get_absolute_url(),
        "notices:proof": reverse("notices:proof", args=[portal["notice"].slug]),
    }
    pages = []
    for name, url in addresses.items():
        visitor = (
            "reader"
            if name in READER_PAGES
            else "editor"
            if name in EDITOR_PAGES
            else "anonymous"
        )
        pages.append(Page(name, url, visitor, STATUS.get(name, 200)))
    # Page types that are not URL patterns of their own.
    pages.append(
        Page(
            "article as a logged-in reader (comment form)",
            article.get_absolute_url(),
            "reader",
        )
    )
    pages.append(Page("flatpage", portal["flatpage"].get_absolute_url(), "anonymous"))
    pages.append(Page("404", "/nie-ma-takiej-strony/", "anonymous", STATUS["404"]))
    return pages


def visit(context: Any, entry: Page) -> tuple[Any, str | None]:
    """Open the page type in a new tab; what is wrong with its status, if anything."""
    page = context.new_page()
    response = page.goto(entry.url)
    return page, status_problem(response, entry.status)


def fake_portal() -> dict[str, Any]:
    """Stand-ins with what `page_urls` reads, to list page types without a database."""

    class Stub:
        pk = 1
        slug = "przyklad"
        starts_at = timezone.now()

        def get_absolute_url(self) -> str:
            return "/przyklad/"

    stub = Stub()
    return {
        "section": stub,
        "place": stub,
        "organisation": stub,
        "tag": stub,
        "author": stub,
        "article": stub,
        "draft": stub,
        "share_token": "znacznik",
        "comment": stub,
        "others_comment": stub,
        "flatpage": stub,
        "event": stub,
        "notice": stub,
    }
