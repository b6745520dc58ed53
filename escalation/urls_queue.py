from django.urls import path

from escalation import views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
]
