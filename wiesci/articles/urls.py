from django.urls import path

from wiesci.articles import readership, views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("najnowsze/", views.latest, name="latest"),
    path("artykul/<slug:slug>/", views.article_detail, name="detail"),
    path("dzial/<slug:slug>/", views.section, name="section"),
    path("tag/<slug:slug>/", views.tag, name="tag"),
    path("miejscowosc/<slug:slug>/", views.place, name="place"),
    path("organizacja/<slug:slug>/", views.organisation, name="organisation"),
    path("autor/<slug:slug>/", views.author, name="author"),
    path("sprostowania/", views.corrections, name="corrections"),
    path("podglad/<int:pk>/", views.preview, name="preview"),
    path("podglad/link/<str:token>/", views.shared_preview, name="shared_preview"),
    # Answered by the page-cache layer in front of Django; this route serves
    # any stack without it (the development server, the tests' live server).
    path(readership.BEACON_PATH.strip("/") + "/", views.read_beacon, name="reads"),
]
