"""The managers' dashboards: aggregates only, each chart with an accessible table beside it."""

from django.db import transaction
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.roles import Role
from audit.actions import AuditAction
from audit.services import record_event
from escalation import dashboards


def _weeks(request) -> int:
    try:
        weeks = int(request.GET.get("weeks", dashboards.DEFAULT_WEEKS))
    except ValueError:
        return dashboards.DEFAULT_WEEKS
    return weeks if weeks in dashboards.PERIOD_WEEKS else dashboards.DEFAULT_WEEKS


@require_GET
@role_required(Role.MANAGER)
def dashboard(request):
    period = dashboards.Period.last(_weeks(request))
    with transaction.atomic():
        # The referral list names concerns: reading it is on record like any other page.
        record_event(action=AuditAction.DASHBOARD_VIEWED, actor=request.user, details={"weeks": period.weeks})
        acknowledge = dashboards.time_to_acknowledge_by_week(period, viewer=request.user)
        deadlines = dashboards.deadlines_met_and_missed(period, viewer=request.user)
        by_category = dashboards.concerns_by_category(period, viewer=request.user)
        by_team = dashboards.concerns_by_team(period, viewer=request.user)
        by_urgency = dashboards.concerns_by_urgency(period, viewer=request.user)
        waiting = dashboards.referrals_awaiting_response(viewer=request.user)
        waiting_by_agency = dashboards.referrals_awaiting_by_agency(viewer=request.user)
    charts = {
        "acknowledge": {
            "type": "line",
            "labels": [row["week"] for row in acknowledge],
            "series": [
                {"label": "Median hours", "data": [row["median_hours"] for row in acknowledge]},
                {"label": "90th percentile hours", "data": [row["p90_hours"] for row in acknowledge]},
            ],
            "y_title": "Hours to acknowledge",
        },
        "deadlines": {
            "type": "bar",
            "stacked": True,
            "labels": [row["label"] for row in deadlines],
            "series": [
                {"label": "Met on time", "data": [row["met_on_time"] for row in deadlines]},
                {"label": "Met late", "data": [row["met_late"] for row in deadlines]},
                {"label": "Overdue, still open", "data": [row["overdue"] for row in deadlines]},
            ],
            "y_title": "Deadlines",
        },
        "category": _count_chart(by_category, "Concerns"),
        "team": _count_chart(by_team, "Concerns"),
        "urgency": _count_chart(by_urgency, "Concerns"),
        "referrals": {
            "type": "bar",
            "stacked": True,
            "labels": [row["label"] for row in waiting_by_agency],
            "series": [
                {"label": "Waiting, not yet due", "data": [r["waiting"] - r["overdue"] for r in waiting_by_agency]},
                {"label": "Waiting, overdue", "data": [r["overdue"] for r in waiting_by_agency]},
            ],
            "y_title": "Referrals",
        },
    }
    return render(
        request,
        "escalation/dashboards/dashboard.html",
        {
            "period": period,
            "period_choices": dashboards.PERIOD_WEEKS,
            "acknowledge": acknowledge,
            "deadlines": deadlines,
            "by_category": by_category,
            "by_team": by_team,
            "by_urgency": by_urgency,
            "waiting": waiting,
            "waiting_by_agency": waiting_by_agency,
            "charts": charts,
        },
    )


def _count_chart(rows, title):
    return {
        "type": "bar",
        "horizontal": True,
        "labels": [row["label"] for row in rows],
        "series": [{"label": title, "data": [row["concerns"] for row in rows]}],
        "y_title": title,
    }
