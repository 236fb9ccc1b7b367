from django.urls import path

from wiesci.comments import views

app_name = "comments"

urlpatterns = [
    path("artykul/<slug:slug>/komentarze/", views.post, name="post"),
    path("komentarze/<int:pk>/edytuj/", views.edit, name="edit"),
    path("komentarze/<int:pk>/usun/", views.delete, name="delete"),
    path("komentarze/<int:pk>/zglos/", views.report, name="report"),
    path("komentarze/<int:pk>/odwolanie/", views.appeal, name="appeal"),
]
