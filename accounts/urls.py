from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("administration/", views.administration, name="administration"),
    path("session/", views.session_status, name="session_status"),
]
