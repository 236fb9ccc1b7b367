from django.urls import path

from wiesci.notices import views

app_name = "notices"

urlpatterns = [
    path("ogloszenia/", views.current, name="current"),
    path("ogloszenia/archiwum/", views.archive, name="archive"),
    path("ogloszenie/<slug:slug>/", views.detail, name="detail"),
    path("ogloszenie/<slug:slug>/potwierdzenie/", views.proof, name="proof"),
    path("ogloszenie/<slug:slug>/tresc.txt", views.text, name="text"),
]
