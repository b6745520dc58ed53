from django.urls import include, path

from concerns import views

app_name = "concerns"
urlpatterns = [
    path("", views.my_concerns, name="mine"),
    path("new/", views.new_concern, name="new"),
    # Information-sharing decisions on a concern (built with the consent records).
    path("", include("concerns.urls_sharing")),
]
