from django.urls import path

from wiesci.tips import views

app_name = "tips"

urlpatterns = [
    path("dodaj-informacje/", views.submit, name="submit"),
    path("dodaj-informacje/dziekujemy/", views.thanks, name="thanks"),
    path("dodaj-informacje/podglad/<int:pk>/", views.photo_preview, name="preview"),
]
