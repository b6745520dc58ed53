import gc
import itertools
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
application = get_wsgi_application()

# Every view module now, not on the first request (an import error stops the worker at start).
get_resolver().url_patterns  # noqa: B018 - reading it loads every view module
# What is loaded by now lives as long as the worker: moved out of the collector's generations,
# it is no longer walked by every full collection. Profiled on the lead's queue, those walks
# cost 3.6 ms a request on average, in pauses of tens of milliseconds on the slow requests.
gc.freeze()

# The first requests load as much again, for the worker's life: template libraries, compiled
# templates, translation catalogues, the ORM's and the driver's caches (about 30,000 objects).
# Left in the collector's generations, each full collection walked them: pauses of 7 to 12 ms
# inside a request, every hundred or so requests, which decided the queue's p95. Frozen once the
# worker is warm, after a response has gone (request_finished), they pause nobody.
FREEZE_AGAIN_AFTER_REQUESTS = 200
_requests_finished = itertools.count(1)


def _freeze_once_warm(**kwargs) -> None:
    if next(_requests_finished) != FREEZE_AGAIN_AFTER_REQUESTS:
        return
    request_finished.disconnect(_freeze_once_warm)
    # This request's and its predecessors' cycles first: frozen, they would never be freed.
    gc.collect()
    gc.freeze()


request_finished.connect(_freeze_once_warm)
