from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notification_count, name="notification_count"),
    path("notifications/<int:notification_id>/read/", views.mark_read, name="notification_read"),
    path("notifications/read-all/", views.mark_all_read, name="notifications_read_all"),
]
