from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("export.csv", views.export_csv, name="export"),
    path("concerns/<str:reference>/", views.concern_access_log, name="concern_access_log"),
    path("people/<int:person_id>/", views.person_activity, name="person_activity"),
    path("break-glass/", views.break_glass_list, name="break_glass"),
    path("break-glass/<int:access_id>/review/", views.break_glass_review, name="break_glass_review"),
    path("retention/", views.retention_review, name="retention"),
]
