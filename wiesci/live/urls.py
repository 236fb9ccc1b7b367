from django.urls import path

from wiesci.live import views

app_name = "live"

urlpatterns = [
    path(views.POLL_PREFIX.strip("/") + "/<int:article>/", views.poll, name="poll"),
]
