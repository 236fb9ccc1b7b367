from django.urls import path

from wiesci.search import views

app_name = "search"

urlpatterns = [path("szukaj/", views.results, name="results")]
