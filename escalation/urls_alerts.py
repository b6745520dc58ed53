from django.urls import path

from escalation import alerts_views as views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notification_count, name="notification_count"),
    path("notifications/<int:notification_id>/read/", views.mark_read, name="notification_read"),
    path("notifications/read-all/", views.mark_all_read, name="notifications_read_all"),
    # The local SMTP sink's mailbox (manage.py smtp_sink); administrators, local runs only.
    path("dev/mail/", views.dev_mail, name="dev_mail"),
    path("dev/mail/<str:name>/", views.dev_mail_message, name="dev_mail_message"),
]
