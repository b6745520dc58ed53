import gc
import itertools
import os
import threading

from django.core.signals import request_finished, request_started
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

# Out of band: the collector's work done between requests rather than inside them. Automatic
# collections struck whichever request was running: the young generations every request or
# two, the middle one (up to 1.5 ms) on one request in seventeen, which is the p95. Once no
# request of this worker is in flight, the young and middle generations are collected (one
# request's survivors: 0.07 ms) and, every FULL_COLLECTION_EVERY times, all of them (0.3 to
# 0.6 ms, once the worker has frozen what it keeps). The automatic collector stays on, with a
# first threshold no ordinary request reaches (a page leaves a few hundred objects), for long
# requests and for a worker that is never idle.
#
# The first requests load as much again as the start did, for the worker's life: template
# libraries, compiled templates, translation catalogues, the ORM's and the driver's caches
# (about 30,000 objects). Left in the collector's generations, each full collection walked them:
# pauses of 7 to 12 ms inside a request, which decided the queue's p95. So the
# FREEZE_AGAIN_AFTER_REQUESTS-th collection, once the worker is warm, collects everything and
# then freezes what is left, as the start did.
AUTOMATIC_YOUNG_THRESHOLD = 10_000
FULL_COLLECTION_EVERY = 100
FREEZE_AGAIN_AFTER_REQUESTS = 200
_in_flight = 0
_in_flight_lock = threading.Lock()
_collections = itertools.count(1)


def _request_started(**kwargs) -> None:
    global _in_flight
    with _in_flight_lock:
        _in_flight += 1


def _collect_when_idle(**kwargs) -> None:
    global _in_flight
    with _in_flight_lock:
        _in_flight = max(_in_flight - 1, 0)
        if _in_flight:
            return
    collection = next(_collections)
    if collection == FREEZE_AGAIN_AFTER_REQUESTS:
        # Every cycle first: frozen, it would never be freed.
        gc.collect()
        gc.freeze()
    else:
        gc.collect(2 if collection % FULL_COLLECTION_EVERY == 0 else 1)


gc.set_threshold(AUTOMATIC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
request_started.connect(_request_started)
request_finished.connect(_collect_when_idle)
