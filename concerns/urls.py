from django.urls import path

from concerns import views

app_name = "concerns"
urlpatterns = [
    path("", views.my_concerns, name="mine"),
    path("new/", views.new_concern, name="new"),
]
