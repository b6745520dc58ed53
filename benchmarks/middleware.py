"""Server time and query count of every request, measured inside Django (benchmark only)."""

import time

from django.db import connection


class ServerTimingMiddleware:
    """Outermost middleware: the whole Django stack, minus gunicorn and the network.

    Answers with ``Server-Timing: app;dur=<ms>, cpu;dur=<ms>`` and ``X-Bench-Queries: <n>`` so the runner
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

        started, cpu_started = time.perf_counter(), time.thread_time()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        # This thread's CPU time: the request's own work, whatever else the machine is doing
        # (the database's work is in PostgreSQL's processes, so not counted here).
        cpu_ms = (time.thread_time() - cpu_started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed_ms:.3f}, cpu;dur={cpu_ms:.3f}"
        response["X-Bench-Queries"] = str(queries)
        return response
