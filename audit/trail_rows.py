"""A page of the trail as plain strings, built in one pass before the template sees them.

Each of the 50 rows paid, through template tags and filters, for two URL resolutions, two date
formats, a label lookup and the truncation of its details: most of the page's rendering time.
Here each row is computed once, with the URLs resolved once per page, so the template only
places strings (and escapes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import Truncator

from audit import actions


@dataclass(frozen=True)
class TrailRow:
    event_id: int
    occurred_iso: str
    occurred_text: str
    actor_url: str  # "" when nobody was signed in
    actor_name: str
    actor_email: str
    actor_role: str
    action: str
    action_label: str
    subject_ref: str
    subject_url: str
    subject: str  # "type id", "" when the event has no subject type
    sentence: str
    others: tuple[str, ...]
    ip_address: str


def _url_maker(name: str, *, quoted: bool = False):
    """reverse() once with a stand-in argument, then fill each row's value in: the same URL,
    without resolving the pattern fifty times. A text value is quoted as reverse() quotes it."""
    stand_in = "987654321"
    prefix, _, suffix = reverse(name, args=[stand_in]).partition(stand_in)
    if quoted:
        return lambda value: f"{prefix}{quote(str(value), safe=RFC3986_SUBDELIMS + '/~:@')}{suffix}"
    return lambda value: f"{prefix}{value}{suffix}"


def _truncated(text: str, limit: int) -> str:
    """As the truncatechars filter; the Truncator (a translation lookup each call) only for text
    that may be too long: a string of at most ``limit`` characters is never cut."""
    return text if len(text) <= limit else Truncator(text).chars(limit)


def _month_names() -> dict[int, str]:
    """The date format's "M" (Jan, Feb, ...) in the active language, looked up once per page."""
    return {number: str(name).title() for number, name in MONTHS_3.items()}


def trail_rows(events) -> list[TrailRow]:
    """One TrailRow per event of the page (as audit.selectors.page_of gives them, actors joined)."""
    person_url = _url_maker("audit:person_activity")
    concern_url = _url_maker("audit:concern_access_log", quoted=True)
    months = _month_names()
    labels: dict[str, str] = {}
    rows = []
    for event in events:
        occurred = timezone.localtime(event.occurred_at)
        if event.action not in labels:
            labels[event.action] = actions.action_label(event.action)
        readable = actions.readable_details(event.action, event.details)
        rows.append(
            TrailRow(
                event_id=event.id,
                occurred_iso=occurred.isoformat(),
                # The date format "j M Y H:i:s", spelt out.
                occurred_text=f"{occurred.day} {months[occurred.month]} {occurred.year:04d} {occurred:%H:%M:%S}",
                actor_url=person_url(event.actor_id) if event.actor_id else "",
                actor_name=(event.actor.full_name if event.actor_id else "") or event.actor_email,
                actor_email=event.actor_email,
                actor_role=event.actor_role,
                action=event.action,
                action_label=labels[event.action],
                subject_ref=event.subject_ref,
                subject_url=concern_url(event.subject_ref) if event.subject_ref else "",
                subject=f"{event.subject_type} {event.subject_id}" if event.subject_type else "",
                sentence=_truncated(readable.sentence, 400),
                others=tuple(_truncated(other, 200) for other in readable.others),
                ip_address=event.ip_address or "",
            )
        )
    return rows
