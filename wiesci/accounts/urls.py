from django.urls import path

from wiesci.accounts import views

app_name = "accounts"

urlpatterns = [
    path("usun/", views.delete, name="delete"),
]
