from django.urls import include, path

app_name = "escalation"
# Each part of the escalation app keeps its own URL module.
urlpatterns = [
    path("", include("escalation.urls_queue")),
    path("", include("escalation.urls_alerts")),
    path("", include("escalation.urls_dashboards")),
]
