"""The benchmark-only baseline for the intake figure: a minimal view that inserts one row.

Same gunicorn, same middleware (session, CSRF, authentication, second factor, CSP), same
signed-in clinician; it only skips the form, the record's parts, the audit event and the
clocks. Served by benchmarks.urls, never by the portal's own URLconf.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponseRedirect
from django.views.decorators.http import require_POST

MINIMAL_TABLE = "bench_minimal_insert"


@login_required
@require_POST
def minimal_insert(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MINIMAL_TABLE} (author_id, summary) VALUES (%s, %s)",  # noqa: S608 - constant name
            [request.user.pk, request.POST.get("summary", "")[:500]],
        )
    return HttpResponseRedirect("/bench/minimal/done/")
