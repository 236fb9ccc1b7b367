from django.urls import path

from wiesci.newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("newsletter/", views.subscribe, name="subscribe"),
    path("newsletter/potwierdz/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/wypisz/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
