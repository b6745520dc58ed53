"""The portal's URLs plus the benchmark's minimal view (benchmarks.settings only)."""

from django.urls import path

from benchmarks import views
from safeguarding.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/minimal/", views.minimal_insert, name="bench_minimal_insert"),
    *portal_urlpatterns,
]
