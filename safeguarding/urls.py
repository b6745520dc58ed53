from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from health import views as health_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", health_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("consent/", include("consent.urls")),
    path("concerns/", include("concerns.urls")),
    path("", include("alerts.urls")),
    path("", include("escalation.urls")),
    path("admin/", admin.site.urls),
]
if apps.is_installed("devtools"):
    urlpatterns.append(path("", include("devtools.urls")))
