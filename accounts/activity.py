"""Each session's last activity (allauth's session list), recorded at most once a minute.

allauth's own middleware reads and rewrites the session's row on every request (two SELECTs,
an UPDATE and a savepoint), which was a third of what the bell's polled count cost. People
read "last seen" in minutes, so the row is touched when a session is first seen from an
address and browser, and then once per ``USERSESSION_TOUCH_SECONDS``. A new address or browser
is a different cache key, so allauth still hears of it on its first request.
"""

from __future__ import annotations

import hashlib
import logging

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def _due_for_a_touch(request) -> bool:
    client = f"{get_adapter().get_client_ip(request)}|{request.META.get('HTTP_USER_AGENT', '')}"
    digest = hashlib.sha256(client.encode()).hexdigest()[:24]
    key = f"usersession-seen:{request.session.session_key}:{digest}"
    try:
        return bool(cache.add(key, 1, settings.USERSESSION_TOUCH_SECONDS))
    except Exception:  # noqa: BLE001 - without the cache, record every request as allauth would
        logger.warning("cache unavailable; recording session activity on every request", exc_info=True)
        return True


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
