"""Which record a request was about, for the events the middleware writes on a refusal.

Audit sits below the apps whose URLs name records (concerns, the lead's workflow), so it cannot
look a concern up itself. Those apps register a resolver at start-up: given the resolved URL
(``request.resolver_match``), it returns the record the URL is about, or None. A refused or
"not found" attempt on a concern's URL is then recorded against that concern, and shows in its
access log ("Who has seen"), not just as a path.
"""

from collections.abc import Callable

from django.db.models import Model

SubjectResolver = Callable[[object], Model | None]
_resolvers: list[SubjectResolver] = []


def register_subject_resolver(resolver: SubjectResolver) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def subject_of_request(request) -> Model | None:
    """The first record a registered resolver finds for this request's URL, or None."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    for resolver in _resolvers:
        subject = resolver(match)
        if subject is not None:
            return subject
    return None
