from django.urls import path

from wiesci.events import views

app_name = "events"

urlpatterns = [
    path("wydarzenia/", views.upcoming, name="upcoming"),
    path("wydarzenia/archiwum/", views.archive, name="archive"),
    path("wydarzenia/kalendarz.ics", views.feed, name="feed"),
    path(
        "wydarzenia/miejscowosc/<slug:slug>.ics",
        views.place_feed,
        name="place_feed",
    ),
    path(
        "wydarzenia/organizacja/<slug:slug>.ics",
        views.organisation_feed,
        name="organisation_feed",
    ),
    path("wydarzenia/<int:year>/<int:number>/", views.month, name="month"),
    path("wydarzenia/<slug:name>/", views.period, name="period"),
    path("wydarzenie/<slug:slug>/", views.detail, name="detail"),
    path("wydarzenie/<slug:slug>.ics", views.event_ics, name="ics"),
]
