from django.urls import path

from wiesci.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("usun/", views.delete, name="delete"),
    path("moje-dane/", views.download, name="download"),
]
