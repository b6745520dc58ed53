"""Each session's last activity (allauth's session list), recorded at most once a minute.

allauth's own middleware reads and rewrites the session's row on every request (two SELECTs,
an UPDATE and a savepoint), which was a third of what the bell's polled count cost. People
read "last seen" in minutes, so the row is touched when a session is first seen from an
address and browser, and then once per ``USERSESSION_TOUCH_SECONDS``. A new address or browser
is a different cache key, so allauth still hears of it on its first request.

Each process also remembers the keys it has found fresh, so that most requests do not ask the
cache at all: a key this process added is fresh for the whole interval; one another process had
added is asked about again after half of one (its age is not known), so a touch is never more
than half an interval late.
"""

from __future__ import annotations

import hashlib
import logging
import time

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


# Key -> until when (time.time()) this process knows the key is in the cache.
_fresh_until: dict[str, float] = {}
# Enough for every session a process serves in an interval; past it, the stale ones go.
_MOST_REMEMBERED = 10_000


def _remember(key: str, until: float, now: float) -> None:
    if len(_fresh_until) >= _MOST_REMEMBERED:
        # A copy first: another thread of the worker may add a key meanwhile.
        for stale in [k for k, fresh_until in list(_fresh_until.items()) if fresh_until <= now]:
            _fresh_until.pop(stale, None)
        if len(_fresh_until) >= _MOST_REMEMBERED:
            _fresh_until.clear()
    _fresh_until[key] = until


def _due_for_a_touch(request) -> bool:
    client = f"{get_adapter().get_client_ip(request)}|{request.META.get('HTTP_USER_AGENT', '')}"
    digest = hashlib.sha256(client.encode()).hexdigest()[:24]
    key = f"usersession-seen:{request.session.session_key}:{digest}"
    now = time.time()
    if _fresh_until.get(key, 0.0) > now:
        return False
    interval = settings.USERSESSION_TOUCH_SECONDS
    try:
        added = bool(cache.add(key, 1, interval))
    except Exception:  # noqa: BLE001 - without the cache, record every request as allauth would
        logger.warning("cache unavailable; recording session activity on every request", exc_info=True)
        return True
    _remember(key, now + (interval if added else interval / 2), now)
    return added


class ThrottledUserSessionsMiddleware:
    """allauth's UserSessionsMiddleware, touching the session's row at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.USERSESSIONS_TRACK_ACTIVITY
            and hasattr(request, "session")
            and request.session.session_key
            and hasattr(request, "user")
            and request.user.is_authenticated
            and _due_for_a_touch(request)
        ):
            UserSession.objects.create_from_request(request)
        return self.get_response(request)
