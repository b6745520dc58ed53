from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from health.selectors import system_health


@never_cache
@require_GET
def healthz(request):
    """200 when the database, broker, worker, beat and sweep are all healthy; 503 otherwise."""
    states = system_health()
    healthy = all(state.healthy for state in states)
    body = {"status": "ok" if healthy else "unhealthy", "components": {s.name: s.as_dict() for s in states}}
    return JsonResponse(body, status=200 if healthy else 503)
