from django.urls import path

from escalation import dashboard_views, staff_views, views
from escalation.packs import views as pack_views

app_name = "escalation"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/counts/", views.queue_counts, name="queue_counts"),
    path("queue/total/", views.queue_total, name="queue_total"),
    path("queue/find/", views.find_concern, name="find_concern"),
    path("queue/concerns/<int:concern_id>/", views.concern_page, name="concern"),
    path("queue/concerns/<int:concern_id>/print/", views.concern_print, name="concern_print"),
    path("queue/concerns/<int:concern_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("queue/concerns/<int:concern_id>/assign/", views.assign, name="assign"),
    path("queue/concerns/<int:concern_id>/triage/", views.triage, name="triage"),
    path("queue/concerns/<int:concern_id>/refer/", views.refer, name="refer"),
    path("queue/concerns/<int:concern_id>/close/", views.close, name="close"),
    path("queue/concerns/<int:concern_id>/reopen/", views.reopen, name="reopen"),
    path("queue/concerns/<int:concern_id>/break-glass/", views.break_glass, name="break_glass"),
    path("queue/concerns/<int:concern_id>/link-staff/", staff_views.link_staff, name="link_staff"),
    path("queue/concerns/<int:concern_id>/conflict/", staff_views.declare_conflict, name="declare_conflict"),
    path("queue/referrals/<int:referral_id>/response/", views.referral_response, name="referral_response"),
    path("queue/referrals/<int:referral_id>/confirmed/", views.referral_confirmed, name="referral_confirmed"),
    path("queue/concerns/<int:concern_id>/packs/new/", pack_views.pack_new, name="pack_new"),
    path("queue/packs/<int:pack_id>/", pack_views.pack_detail, name="pack"),
    path("queue/packs/<int:pack_id>/finalise/", pack_views.pack_finalise, name="pack_finalise"),
    path("queue/packs/<int:pack_id>/print/", pack_views.pack_print, name="pack_print"),
    path("queue/packs/<int:pack_id>/download/", pack_views.pack_download, name="pack_download"),
    path("dashboards/", dashboard_views.dashboard, name="dashboard"),
]
