from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from health.selectors import UNHEALTHY, overall_status, system_health


@never_cache
@require_GET
def healthz(request):
    """The portal's health for load balancers and monitoring.

    - ``ok`` (200): the database, broker, worker, beat and sweep are healthy and nothing needs
      a person.
    - ``degraded`` (200): the portal works, but a non-critical check fails (teams without
      cover: their alerts go to fallbacks). Still 200, so a load balancer keeps sending sign-ins
      and concerns to it; monitoring must alert on ``status`` != ``ok``, not only on the code.
    - ``unhealthy`` (503): a critical component fails (database, broker, worker, beat, sweep).
    """
    states = system_health()
    status = overall_status(states)
    body = {"status": status, "components": {s.name: s.as_dict() for s in states}}
    return JsonResponse(body, status=503 if status == UNHEALTHY else 200)
