from django.urls import path

from consent import views

app_name = "consent"
urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_new, name="client_new"),
    path("clients/needs-revisit/", views.needs_revisit, name="needs_revisit"),
    path("clients/limits-status/", views.limits_status, name="limits_status"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/limits/new/", views.limits_new, name="limits_new"),
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/new/", views.statement_new, name="statement_new"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/edit/", views.statement_edit, name="statement_edit"),
    path("statements/<int:pk>/publish/", views.statement_publish, name="statement_publish"),
]
