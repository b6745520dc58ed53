from django.urls import path

from devtools import views

app_name = "devtools"
urlpatterns = [
    path("dev/mail/", views.mail_list, name="mail"),
    path("dev/mail/<str:name>/", views.mail_message, name="mail_message"),
]
