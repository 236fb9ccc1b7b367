from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _

# The admin's log-in goes through the readers' one, with its rate limits.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = _("Wieści: newsroom")
admin.site.site_title = _("Wieści")
admin.site.index_title = _("Newsroom desk")


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("distribution:icon", kwargs={"size": 32}))


urlpatterns: list[URLPattern | URLResolver] = [
    # Browsers ask for it whatever the page says; send them to the real icon.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("konto/", include("wiesci.accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("", include("wiesci.operations.urls")),
    path("", include("wiesci.comments.urls")),
    path("", include("wiesci.search.urls")),
    path("", include("wiesci.distribution.urls")),
    path("", include("wiesci.events.urls")),
    path("", include("wiesci.notices.urls")),
    path("", include("wiesci.live.urls")),
    path("", include("wiesci.newsletter.urls")),
    path("", include("wiesci.tips.urls")),
    path("", include("wiesci.push.urls")),
    path("", include("wiesci.articles.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
