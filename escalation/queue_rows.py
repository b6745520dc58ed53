"""The queue's rows, built as HTML in one pass before the page template places them.

A lead's queue shows 50 rows of eleven cells. Through template tags and filters each cell paid
for a date format lookup, a choices lookup, a URL resolution and an escape of its own, which
was most of the page's time. Here the labels are translated once per page, the URLs reversed
once, and each row is one ``str.format`` of the markup below. Every value placed in it goes
through ``html.escape`` (what Django's ``escape`` calls) first: only ``_safe`` pieces, built
here from escaped values, are placed as they are.
"""

from datetime import datetime
from html import escape

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from concerns.models import ConcernStatus, Urgency
from escalation.models import RiskRating
from escalation.templatetags.escalation_tags import DuePhrases

ROW = (
    '<tr class="{overdue}">\n'
    '  <th scope="row" data-label="{l_reference}"><a href="{url}">{reference}</a></th>\n'
    '  <td data-label="{l_received}"><time datetime="{received_iso}">{received}</time></td>\n'
    '  <td data-label="{l_urgency}">{urgency}</td>\n'
    '  <td data-label="{l_categories}">{categories}</td>\n'
    '  <td data-label="{l_team}">{team}</td>\n'
    '  <td data-label="{l_reporter}">{reporter}</td>\n'
    '  <td data-label="{l_time_left}">{time_left}{chase}</td>\n'
    '  <td data-label="{l_risk}">{risk}</td>\n'
    '  <td data-label="{l_status}">{status}</td>\n'
    '  <td data-label="{l_owner}">{owner}</td>\n'
    '  <td class="queue-action">{action}</td>\n'
    "</tr>"
)
IMMEDIATE = '<span class="badge text-bg-danger">{}</span>'
COUNTDOWN = '<time class="js-countdown" datetime="{iso}" data-due="{iso}" data-deadline="{label}">{text}</time>'
CLOSED = '{} <time datetime="{}">{}</time>'
CHASE = ' <span class="badge text-bg-warning ms-1">{}</span><span class="visually-hidden"> {}</span>'
QUIET = '<span class="text-body-secondary">{}</span>'
ACKNOWLEDGE = (
    '<form method="post" action="{action}"><input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<input type="hidden" name="next" value="{back}">'
    '<button type="submit" class="btn btn-primary btn-sm">{label}<span class="visually-hidden"> {reference}</span>'
    "</button></form>"
)
OPEN = (
    '<a class="btn btn-outline-secondary btn-sm" href="{url}">'
    '{label}<span class="visually-hidden"> {reference}</span></a>'
)


def _url_maker(name: str):
    """reverse() once with a stand-in id, then fill each row's id in: the same URL, without
    resolving the pattern fifty times."""
    stand_in = 987654321
    pattern = reverse(name, args=[stand_in])
    prefix, _, suffix = pattern.partition(str(stand_in))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _labels() -> dict[str, str]:
    """Each cell's label (the card layout shows it beside the value) and each fixed word, once."""
    return {
        "l_reference": gettext("Reference"),
        "l_received": gettext("Received"),
        "l_urgency": gettext("Urgency"),
        "l_categories": gettext("Categories"),
        "l_team": gettext("Team"),
        "l_reporter": gettext("Reporter"),
        "l_time_left": gettext("Time left"),
        "l_risk": gettext("Risk rating"),
        "l_status": gettext("Status"),
        "l_owner": gettext("Owner"),
    }


def _e(value) -> str:
    return escape(value if type(value) is str else str(value), quote=True)


def _row_template(labels: dict[str, str]) -> str:
    """ROW with the page's cell labels written in once, instead of formatted into every row."""
    template = ROW
    for name, label in labels.items():
        template = template.replace("{" + name + "}", label.replace("{", "{{").replace("}", "}}"))
    return template


class _Dates:
    """Dates as Django's "j M Y" and "j M Y H:i" formats write them, with each month's name
    translated once for the page instead of once per date."""

    def __init__(self) -> None:
        self.months: dict[int, str] = {}

    def day(self, moment: datetime) -> str:
        month = self.months.get(moment.month)
        if month is None:
            # What the "M" format letter writes: the abbreviation, capitalised.
            month = self.months[moment.month] = str(MONTHS_3[moment.month]).title()
        return f"{moment.day} {month} {moment.year}"

    def day_and_time(self, moment: datetime) -> str:
        return f"{self.day(moment)} {moment.hour:02d}:{moment.minute:02d}"


def queue_rows(concerns: list[dict], *, now: datetime, request, category_labels: dict[str, str]) -> list[SafeString]:
    """One table row per concern of a page: ``concerns`` are the page's rows as
    escalation.selectors.queue_page_rows reads them, plain values (no model objects);
    ``category_labels`` is concerns.selectors.category_labels()."""
    concern_url = _url_maker("escalation:concern")
    acknowledge_url = _url_maker("escalation:acknowledge")
    row_template = _row_template({name: _e(label) for name, label in _labels().items()})
    closed_word = _e(gettext("Closed"))
    not_rated = QUIET.format(_e(gettext("Not rated yet")))
    nobody = QUIET.format(_e(gettext("Nobody yet")))
    chase_badge = CHASE.format(_e(gettext("Chase")), _e(gettext("(an agency's response is overdue)")))
    acknowledge_word, open_word = _e(gettext("Acknowledge")), _e(gettext("Open"))
    urgencies = {value: _e(label) for value, label in Urgency.choices}
    statuses = {value: _e(label) for value, label in ConcernStatus.choices}
    risks = {value: _e(label) for value, label in RiskRating.choices}
    due_phrase = DuePhrases()
    deadline_labels: dict[str, str] = {}  # each kind's name, escaped once
    dates = _Dates()
    # The page's time zone once: timezone.localtime() looks the active zone up for each date.
    zone = timezone.get_current_timezone()
    csrf = _e(get_token(request))
    back = _e(request.get_full_path())
    rows = []
    for concern in concerns:
        url = concern_url(concern["id"])
        reference = _e(concern["reference"])
        submitted = concern["submitted_at"].astimezone(zone)
        urgency = urgencies.get(concern["urgency"]) or _e(concern["urgency"])
        rating = concern["risk_rating"]
        risk = (risks.get(rating) or _e(rating)) if rating else not_rated
        kind = concern["next_due_kind"] or ""
        due_at = concern["next_due_at"]
        if due_at:
            time_left = COUNTDOWN.format(
                iso=due_at.astimezone(zone).isoformat(),
                label=deadline_labels.get(kind) or deadline_labels.setdefault(kind, _e(due_phrase.label(kind))),
                text=_e(due_phrase(due_at, now, kind)),
            )
        elif concern["closed_at"]:
            closed = concern["closed_at"].astimezone(zone)
            time_left = CLOSED.format(closed_word, closed.isoformat(), _e(dates.day(closed)))
        else:
            time_left = "—"
        if not concern["acknowledged_at"] and concern["status"] != ConcernStatus.CLOSED:
            action = ACKNOWLEDGE.format(
                action=acknowledge_url(concern["id"]), csrf=csrf, back=back, label=acknowledge_word, reference=reference
            )
        else:
            action = OPEN.format(url=url, label=open_word, reference=reference)
        rows.append(
            # Every value above is escaped before it is placed.
            mark_safe(  # noqa: S308  # nosec B308 B703
                row_template.format(
                    overdue="table-danger" if due_at and due_at < now else "",
                    url=url,
                    reference=reference,
                    received_iso=submitted.isoformat(),
                    received=_e(dates.day_and_time(submitted)),
                    urgency=IMMEDIATE.format(urgency) if concern["urgency"] == Urgency.IMMEDIATE else urgency,
                    categories=_e(", ".join(category_labels.get(code, code) for code in concern["category_codes"]))
                    or "—",
                    team=_e(concern["team__name"]),
                    reporter=_e(concern["reporter__full_name"] or concern["reporter__email"]),
                    time_left=time_left,
                    chase=chase_badge if concern["chase"] else "",
                    risk=risk,
                    status=statuses.get(concern["status"]) or _e(concern["status"]),
                    owner=_e(concern["owner__full_name"] or concern["owner__email"]) if concern["owner_id"] else nobody,
                    action=action,
                )
            )
        )
    return rows
