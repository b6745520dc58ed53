from django.urls import path

from escalation import dashboard_views as views

urlpatterns = [
    path("dashboards/", views.dashboard, name="dashboard"),
]
