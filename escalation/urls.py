from django.urls import path

from escalation import views

app_name = "escalation"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("dashboards/", views.dashboard, name="dashboard"),
]
