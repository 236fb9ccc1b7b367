from django.urls import path

from wiesci.operations import views

app_name = "operations"

# Under `/-/`, which no page of the portal uses and the page cache never
# stores (core.pagecache's PRIVATE_PREFIXES).
urlpatterns = [
    path("-/health", views.health_view, name="health"),
    path("-/metrics", views.metrics_view, name="metrics"),
]
