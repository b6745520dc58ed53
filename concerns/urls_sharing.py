"""Information-sharing pages on a concern (included by concerns/urls.py under /concerns/)."""

from django.urls import path

from concerns import sharing_views

urlpatterns = [
    path("<int:pk>/sharing/new/", sharing_views.sharing_new, name="sharing_new"),
    path("<int:pk>/client-informed/new/", sharing_views.client_informed_new, name="client_informed_new"),
]
