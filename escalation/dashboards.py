"""Selectors for the managers' dashboards: aggregates computed in PostgreSQL.

Each function returns plain rows (dicts) that the view hands to both the chart (json_script)
and the accessible table beside it, so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from alerts.models import Deadline, DeadlineState, ObligationKind
from concerns.models import Concern, ConcernCategory, Urgency
from concerns.selectors import concern_ids_hidden_from, concern_ids_hidden_from_sql
from escalation.models import Agency, ExternalReferral

PERIOD_WEEKS = (4, 12, 26, 52)
DEFAULT_WEEKS = 12


@dataclass(frozen=True)
class Period:
    weeks: int
    start: dt.datetime
    end: dt.datetime

    @classmethod
    def last(cls, weeks: int, *, now: dt.datetime | None = None) -> Period:
        now = now or timezone.now()
        local_today = timezone.localtime(now).date()
        # Whole weeks, Monday to Sunday, so every week in a chart is comparable.
        monday = local_today - dt.timedelta(days=local_today.weekday())
        first = monday - dt.timedelta(weeks=weeks - 1)
        start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
        return cls(weeks=weeks, start=start, end=now)


def _hours(seconds) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 1)


def time_to_acknowledge_by_week(period: Period, *, viewer=None) -> list[dict]:
    """Median and 90th percentile hours from submission to acknowledgement, per week submitted.

    Weeks are local (Europe/London) Monday-to-Sunday. Concerns not yet acknowledged are
    counted separately: leaving them out silently would flatter the percentiles. Nothing hidden
    from ``viewer`` is counted (a weekly count could hint at a concern about them).
    """
    table = Concern._meta.db_table
    hidden_sql, hidden_params = "", []
    if viewer is not None and viewer.is_authenticated:
        hidden, hidden_params = concern_ids_hidden_from_sql(viewer)
        hidden_sql = f"AND id NOT IN ({hidden})"
    sql = f"""
        SELECT date_trunc('week', submitted_at AT TIME ZONE %s)::date AS week,
               count(*) AS submitted,
               count(acknowledged_at) AS acknowledged,
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY extract(epoch FROM acknowledged_at - submitted_at)) AS median_seconds,
               percentile_cont(0.9) WITHIN GROUP (
                   ORDER BY extract(epoch FROM acknowledged_at - submitted_at)) AS p90_seconds
          FROM {table}
         WHERE submitted_at >= %s AND submitted_at < %s {hidden_sql}
         GROUP BY 1
         ORDER BY 1
    """  # noqa: S608 - the table name and subquery come from the ORM, every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.get_current_timezone_name(), period.start, period.end, *hidden_params])
        rows = cursor.fetchall()
    by_week = {
        week: {
            "week": week.isoformat(),
            "submitted": submitted,
            "acknowledged": acknowledged,
            "not_acknowledged": submitted - acknowledged,
            "median_hours": _hours(median),
            "p90_hours": _hours(p90),
        }
        for week, submitted, acknowledged, median, p90 in rows
    }
    weeks = []
    first_week = timezone.localtime(period.start).date()
    for n in range(period.weeks):
        week = first_week + dt.timedelta(weeks=n)
        weeks.append(
            by_week.get(
                week,
                {
                    "week": week.isoformat(),
                    "submitted": 0,
                    "acknowledged": 0,
                    "not_acknowledged": 0,
                    "median_hours": None,
                    "p90_hours": None,
                },
            )
        )
    return weeks


def deadlines_met_and_missed(period: Period, *, viewer=None) -> list[dict]:
    """Per kind of obligation due in the period: met on time, met late, overdue, not yet due.
    Nothing of a concern hidden from ``viewer`` is counted (no count may hint at it)."""
    now = period.end
    deadlines = (
        Deadline.objects.filter(due_at__gte=period.start)
        .exclude(state=DeadlineState.CANCELLED)
        .exclude(concern_id__in=concern_ids_hidden_from(viewer))
    )
    met = Q(state=DeadlineState.MET)
    rows = (
        deadlines.values("kind")
        .annotate(
            met_on_time=Count("id", filter=met & Q(closed_at__lte=F("due_at"))),
            met_late=Count("id", filter=met & Q(closed_at__gt=F("due_at"))),
            overdue=Count("id", filter=Q(state=DeadlineState.OPEN, due_at__lt=now)),
            not_yet_due=Count("id", filter=Q(state=DeadlineState.OPEN, due_at__gte=now)),
        )
        .order_by("kind")
    )
    labels = dict(ObligationKind.choices)
    result = []
    for row in rows:
        missed = row["met_late"] + row["overdue"]
        decided = row["met_on_time"] + missed
        result.append(
            {
                "kind": row["kind"],
                "label": labels.get(row["kind"], row["kind"]),
                "met_on_time": row["met_on_time"],
                "met_late": row["met_late"],
                "overdue": row["overdue"],
                "missed": missed,
                "not_yet_due": row["not_yet_due"],
                "percent_on_time": round(100 * row["met_on_time"] / decided) if decided else None,
            }
        )
    return result


def concerns_by_category(period: Period, *, viewer=None) -> list[dict]:
    """A concern with two categories counts once in each."""
    rows = (
        ConcernCategory.objects.filter(
            concerns__submitted_at__gte=period.start,
            concerns__submitted_at__lt=period.end,
            # In the same filter() call: the same concern row as the dates (an exclude() over
            # the many-to-many would drop a whole category with one hidden concern in it).
            concerns__in=Concern.objects.exclude(pk__in=concern_ids_hidden_from(viewer)),
        )
        .values("code", "label")
        .annotate(concerns=Count("concerns", distinct=True))
        .order_by("-concerns", "label")
    )
    return [{"key": r["code"], "label": r["label"], "concerns": r["concerns"]} for r in rows]


def concerns_by_team(period: Period, *, viewer=None) -> list[dict]:
    rows = (
        Concern.objects.filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
        .exclude(pk__in=concern_ids_hidden_from(viewer))
        .values("team__code", "team__name")
        .annotate(concerns=Count("id"))
        .order_by("-concerns", "team__name")
    )
    return [{"key": r["team__code"], "label": r["team__name"], "concerns": r["concerns"]} for r in rows]


def concerns_by_urgency(period: Period, *, viewer=None) -> list[dict]:
    counts = dict(
        Concern.objects.filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
        .exclude(pk__in=concern_ids_hidden_from(viewer))
        .values_list("urgency")
        .annotate(concerns=Count("id"))
    )
    return [{"key": value, "label": label, "concerns": counts.get(value, 0)} for value, label in Urgency.choices]


def referrals_awaiting_response(*, viewer=None, now: dt.datetime | None = None, limit: int = 100) -> list[dict]:
    """External referrals with no response yet, longest overdue first (any age: they are open).

    The drill-down names concerns: none hidden from ``viewer`` (about them, or a conflict)."""
    now = now or timezone.now()
    referrals = (
        ExternalReferral.objects.filter(response_received_at__isnull=True)
        .exclude(concern_id__in=concern_ids_hidden_from(viewer))
        .select_related("concern", "concern__team")
        .order_by("response_due_at", "referred_at")[:limit]
    )
    rows = []
    for referral in referrals:
        due = referral.response_due_at
        rows.append(
            {
                "reference": referral.concern.reference,
                "concern_id": referral.concern_id,
                "team": referral.concern.team.name,
                "agency": referral.agency_label,
                "referred_at": referral.referred_at,
                "response_due_at": due,
                "overdue": bool(due and due < now),
                "days_waiting": (now - referral.referred_at).days,
            }
        )
    return rows


def referrals_awaiting_by_agency(*, viewer=None, now: dt.datetime | None = None) -> list[dict]:
    """How many referrals each agency has not answered, and how many of those are overdue."""
    now = now or timezone.now()
    labels = dict(Agency.choices)
    rows = (
        ExternalReferral.objects.filter(response_received_at__isnull=True)
        .exclude(concern_id__in=concern_ids_hidden_from(viewer))
        .values("agency", "agency_other")
        .annotate(waiting=Count("id"), overdue=Count("id", filter=Q(response_due_at__lt=now)))
        .order_by("-waiting", "agency")
    )
    return [
        {
            "label": (
                row["agency_other"]
                if row["agency"] == Agency.OTHER and row["agency_other"]
                else labels.get(row["agency"], row["agency"])
            ),
            "waiting": row["waiting"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]
