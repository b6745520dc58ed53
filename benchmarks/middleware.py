"""Server time and query count of every request, measured inside Django (benchmark only)."""

import time

from django.db import connection


class ServerTimingMiddleware:
    """Outermost middleware: the whole Django stack, minus gunicorn and the network.

    Answers with ``Server-Timing: app;dur=<ms>`` and ``X-Bench-Queries: <n>`` so the runner
    compares server time with the bare SQL, whatever the client machine's noise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed_ms:.3f}"
        response["X-Bench-Queries"] = str(queries)
        return response
