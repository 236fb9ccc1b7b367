from django.urls import path

from wiesci.push import views

app_name = "push"

urlpatterns = [
    path("powiadomienia/", views.settings_page, name="settings"),
    path("powiadomienia/zapisz/", views.subscribe, name="subscribe"),
    path("powiadomienia/wypisz/", views.unsubscribe, name="unsubscribe"),
    # At the root, so that its scope may be the whole portal.
    path("sw-push.js", views.service_worker, name="service-worker"),
]
