from django.urls import path

from consent import views

app_name = "consent"
urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
]
