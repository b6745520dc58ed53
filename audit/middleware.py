import re
import uuid

from audit.actions import AuditAction
from audit.context import RequestContext, reset_request_context, set_request_context

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Gives every request an id (echoed in X-Request-ID) and remembers its origin for audit events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if _SAFE_REQUEST_ID.match(supplied) else uuid.uuid4().hex
        request.request_id = request_id
        token = set_request_context(
            RequestContext(
                request_id=request_id,
                ip_address=request.META.get("REMOTE_ADDR") or None,
                user_agent=request.headers.get("User-Agent", "")[:400],
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = request_id
        return response

    def process_exception(self, request, exception):
        """Authorisation failures are audit events (the exception still becomes a 403 or 404).

        A 404 counts only for a signed-in person: the access selectors answer 404 for what the
        person may not see, so repeated 404s on concern pages are how probing shows up. An
        anonymous 404 is just a wrong address. When the URL names a record that exists (a
        concern), the event is recorded against it, so the attempt shows in its access log.
        """
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        user = getattr(request, "user", None)
        if isinstance(exception, PermissionDenied):
            action = AuditAction.ACCESS_DENIED
        elif isinstance(exception, Http404) and getattr(user, "is_authenticated", False):
            action = AuditAction.ACCESS_NOT_FOUND
        else:
            return None
        from audit.services import record_event
        from audit.subjects import subject_of_request

        record_event(
            action=action,
            actor=user,
            subject=subject_of_request(request),
            details={"path": request.path[:300], "method": request.method},
        )
        return None
