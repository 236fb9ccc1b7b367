from django.urls import path

from wiesci.articles import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
]
