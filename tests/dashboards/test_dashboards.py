"""The managers' dashboards: numbers computed in PostgreSQL, shown as charts and tables."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Deadline, DeadlineState, ObligationKind
from audit.models import AuditEvent
from concerns.models import Concern
from escalation import dashboards
from escalation.models import ExternalReferral
from tests.factories.concerns import submit_test_concern


def _acknowledged_after(concern, hours):
    Concern.objects.filter(pk=concern.pk).update(
        status="acknowledged", acknowledged_at=concern.submitted_at + dt.timedelta(hours=hours)
    )


def test_time_to_acknowledge_median_and_90th_percentile_by_week(cast):
    concerns = [submit_test_concern(reporter=cast.clinician) for _ in range(5)]
    for concern, hours in zip(concerns[:4], (1, 2, 3, 10), strict=True):
        _acknowledged_after(concern, hours)
    weeks = dashboards.time_to_acknowledge_by_week(dashboards.Period.last(4))
    assert len(weeks) == 4
    this_week = weeks[-1]
    assert this_week["submitted"] == 5 and this_week["not_acknowledged"] == 1
    assert this_week["median_hours"] == 2.5  # percentile_cont interpolates between 2 and 3
    assert this_week["p90_hours"] == pytest.approx(7.9, abs=0.05)  # 3 + 0.7 * (10 - 3)
    assert weeks[0]["submitted"] == 0 and weeks[0]["median_hours"] is None


def _deadline(concern, *, due_in_hours, state=DeadlineState.OPEN, closed_after_hours=None, kind=None):
    now = timezone.now()
    return Deadline.objects.create(
        kind=kind or ObligationKind.SHARING_REVIEW,
        concern=concern,
        subject_type="concerns.concern",
        subject_id=f"{concern.pk}-{due_in_hours}-{closed_after_hours}",
        subject_ref=concern.reference,
        due_at=now + dt.timedelta(hours=due_in_hours),
        state=state,
        closed_at=None if closed_after_hours is None else now + dt.timedelta(hours=closed_after_hours),
    )


def test_deadlines_met_and_missed(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    _deadline(concern, due_in_hours=-5, state=DeadlineState.MET, closed_after_hours=-6)  # on time
    _deadline(concern, due_in_hours=-5, state=DeadlineState.MET, closed_after_hours=-1)  # late
    _deadline(concern, due_in_hours=-2)  # overdue, open
    _deadline(concern, due_in_hours=20)  # not yet due
    _deadline(concern, due_in_hours=-2, state=DeadlineState.CANCELLED)  # ignored
    rows = {r["kind"]: r for r in dashboards.deadlines_met_and_missed(dashboards.Period.last(4))}
    review = rows[ObligationKind.SHARING_REVIEW]
    assert (review["met_on_time"], review["met_late"], review["overdue"], review["not_yet_due"]) == (1, 1, 1, 1)
    assert review["missed"] == 2 and review["percent_on_time"] == 33


def test_concerns_by_category_team_and_urgency(cast):
    submit_test_concern(reporter=cast.clinician, categories=("child-sexual", "child-online"), urgency="immediate")
    submit_test_concern(reporter=cast.clinician, categories=("child-sexual",))
    period = dashboards.Period.last(4)
    by_category = {r["key"]: r["concerns"] for r in dashboards.concerns_by_category(period)}
    assert by_category == {"child-sexual": 2, "child-online": 1}
    assert [(r["key"], r["concerns"]) for r in dashboards.concerns_by_team(period)] == [(cast.team.code, 2)]
    by_urgency = {r["key"]: r["concerns"] for r in dashboards.concerns_by_urgency(period)}
    assert by_urgency["immediate"] == 1 and by_urgency["same_day"] == 1 and by_urgency["routine"] == 0


def test_referrals_waiting_for_a_response(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    now = timezone.now()
    common = dict(concern=concern, area="Northshire", method="phone", made_by=cast.lead, created_at=now)
    ExternalReferral.objects.create(
        agency="police", referred_at=now - dt.timedelta(days=3), response_due_at=now - dt.timedelta(days=1), **common
    )
    ExternalReferral.objects.create(
        agency="childrens_social_care",
        referred_at=now - dt.timedelta(days=1),
        response_due_at=now + dt.timedelta(days=1),
        **common,
    )
    ExternalReferral.objects.create(
        agency="police", referred_at=now - dt.timedelta(days=9), response_received_at=now, **common
    )
    waiting = dashboards.referrals_awaiting_response()
    assert [(r["agency"], r["overdue"], r["days_waiting"]) for r in waiting] == [
        ("Police", True, 3),
        ("Children's social care", False, 1),
    ]
    by_agency = {r["label"]: (r["waiting"], r["overdue"]) for r in dashboards.referrals_awaiting_by_agency()}
    assert by_agency == {"Police": (1, 1), "Children's social care": (1, 0)}


def test_the_dashboard_page_is_for_managers_and_carries_chart_data_and_tables(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    _acknowledged_after(concern, 2)
    client.force_login(cast.lead)
    assert client.get(reverse("escalation:dashboard")).status_code == 403
    client.force_login(cast.manager)
    response = client.get(reverse("escalation:dashboard"), {"weeks": "26"})
    assert response.status_code == 200
    body = response.content.decode()
    charts = json.loads(body.split('<script id="dashboard-charts" type="application/json">')[1].split("</script>")[0])
    assert set(charts) == {"acknowledge", "deadlines", "category", "team", "urgency", "referrals"}
    assert len(charts["acknowledge"]["labels"]) == 26
    assert "<caption>Hours from submission to acknowledgement, by week submitted</caption>" in body
    assert "vendor/chartjs/chart.umd.min.js" in body and "js/dashboards.js" in body
    assert "<script>" not in body  # no inline script
    assert AuditEvent.objects.filter(action="dashboard.viewed", actor=cast.manager).exists()


def test_an_unknown_period_falls_back_to_twelve_weeks(client, cast):
    client.force_login(cast.manager)
    response = client.get(reverse("escalation:dashboard"), {"weeks": "9999"})
    assert response.context["period"].weeks == 12
