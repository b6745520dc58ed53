"""The lead's queue and pages through the test client: access, break-glass, messages, query counts."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, BreakGlassAccess
from concerns.models import Concern
from escalation import services
from escalation.models import BreakGlassGrant
from escalation.services import acknowledge_concern
from tests.factories.concerns import submit_test_concern
from tests.factories.workflow import acknowledged, clone_open_concerns

pytestmark = pytest.mark.django_db
QUEUE = reverse("escalation:queue")


def _signed_in(client, user):
    client.force_login(user)
    return client


# --- Acceptance 5: the queue's queries do not grow with its rows ---------------------------------


def _render_queue_rows(user, filters=None):
    """The queue's own work: the selector, the page of rows and their template."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from concerns.selectors import category_labels
    from escalation.queue_rows import queue_rows
    from escalation.selectors import QUEUE_PAGE_SIZE, QueueFilters, queue_page_rows
    from escalation.views import QueuePage

    request = RequestFactory().get(QUEUE)
    request.user = user
    now = timezone.now()
    values = queue_page_rows(user, filters or QueueFilters(), now=now, first=0, top=QUEUE_PAGE_SIZE + 1)
    rows = queue_rows(values, now=now, request=request, category_labels=category_labels())
    page = QueuePage(number=1, rows=rows[:QUEUE_PAGE_SIZE], has_next=len(rows) > QUEUE_PAGE_SIZE)
    rows = page.rows
    context = {"page": page, "rows": rows, "now": now}
    return render_to_string("escalation/queue/_rows.html", context, request=request)


def _data_queries(client, url, **kwargs):
    """The queries of one request that read concerns or the workflow. Sessions, MFA, the health
    banner and the notification bell (the alerts part's) are left out: they do not depend on
    the queue's rows, and one of them was seen to vary between requests under load."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    return [
        q
        for q in sql
        if ("concerns_" in q or "escalation_" in q)
        and "escalation_notification" not in q
        # The bell reads concerns too (it leaves out those hidden from its reader).
        and "alerts_notification" not in q
    ], response


def test_queue_issues_the_same_number_of_queries_for_10_and_500_concerns(cast, client, django_assert_num_queries):
    from accounts.selectors import covered_team_ids
    from escalation.selectors import QueueFilters

    template = submit_test_concern(reporter=cast.clinician)
    clone_open_concerns(template, 9)
    lead = type(cast.lead).objects.get(pk=cast.lead.pk)
    lead.role_names  # noqa: B018 - cached per user object, as in a request
    covered_team_ids(lead)  # read once per user object too
    from concerns.selectors import every_category

    every_category()  # kept in the cache after any first visit, whichever test ran before
    filters = QueueFilters(urgency="same_day", team=cast.team.pk)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as with_10:
        rows = _render_queue_rows(lead)
    assert rows.count('<th scope="row"') == 10
    # Covered teams, the count, the rows with their deadlines and "chase", the categories...
    assert len(with_10) <= 6
    _signed_in(client, cast.lead).get(QUEUE)  # warm the session
    page_10, response = _data_queries(client, QUEUE)
    assert response.content.count(b'<th scope="row"') == 10
    refresh_query = QUEUE + "?urgency=same_day&sort=owner&page=1"
    refresh_10, _response = _data_queries(client, refresh_query, headers={"HX-Request": "true"})

    clone_open_concerns(template, 490, owner=cast.lead)
    with django_assert_num_queries(len(with_10)):
        rows = _render_queue_rows(lead)
    assert rows.count('<th scope="row"') == 50  # the first page of 500
    with django_assert_num_queries(len(with_10)):
        _render_queue_rows(lead, filters)
    page_500, response = _data_queries(client, QUEUE)
    assert response.content.count(b'<th scope="row"') == 50
    assert len(page_500) == len(page_10)
    # The htmx refresh of the rows, with filters on, stays flat too (it leaves the counts alone).
    refresh, response = _data_queries(client, refresh_query, headers={"HX-Request": "true"})
    assert b"<html" not in response.content  # only the rows
    assert len(refresh) == len(refresh_10)


def test_queue_orders_by_earliest_deadline_and_filters_keep_their_values(cast, client):
    routine = submit_test_concern(reporter=cast.clinician, urgency="routine")
    immediate = submit_test_concern(reporter=cast.clinician, urgency="immediate")
    other_team = submit_test_concern(reporter=cast.clinician_other_team)
    body = _signed_in(client, cast.lead).get(QUEUE).content.decode()
    assert body.index(immediate.reference) < body.index(routine.reference)
    assert other_team.reference not in body
    body = client.get(QUEUE + "?urgency=routine").content.decode()
    # As row links: a reference can also be the "open by reference" box's example.
    assert f">{routine.reference}</a>" in body and f">{immediate.reference}</a>" not in body
    assert '<option value="routine" selected>' in body
    assert 'hx-get="/queue/?urgency=routine&amp;page=1"' in body


def test_overdue_referral_shows_chase(cast, client):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    services.record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        agency="childrens_social_care",
        area="Leeds",
        method="email",
        referred_at=timezone.now() - timedelta(days=4),
        response_due_at=timezone.now() - timedelta(days=2),
    )
    body = _signed_in(client, cast.lead).get(QUEUE + "?overdue=on").content.decode()
    assert concern.reference in body and "Chase" in body


def test_queue_hides_a_concern_about_the_lead_themselves(cast, client):
    about_deputy = submit_test_concern(
        reporter=cast.clinician, alleged_persons=[dict(identity="known", name="Dev Deputy", staff_member=cast.deputy)]
    )
    other = submit_test_concern(reporter=cast.clinician)
    body = _signed_in(client, cast.deputy).get(QUEUE).content.decode()
    assert other.reference in body and about_deputy.reference not in body
    assert client.get(reverse("escalation:concern", args=[about_deputy.pk])).status_code == 404


def test_clinicians_cannot_use_the_queue(cast, client):
    assert _signed_in(client, cast.clinician).get(QUEUE).status_code == 403


# --- Acknowledge from the queue: the race loser is told who won --------------------------------------


def test_second_lead_to_acknowledge_is_told_who_already_did(cast, client):
    concern = submit_test_concern(reporter=cast.clinician)
    acknowledge_concern(actor=cast.deputy, concern_id=concern.pk)  # the deputy got there first
    response = _signed_in(client, cast.lead).post(
        reverse("escalation:acknowledge", args=[concern.pk]), {"next": QUEUE}, follow=True
    )
    assert response.redirect_chain[-1][0] == QUEUE
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert messages[0].startswith(f"{concern.reference} was already acknowledged by Dev Deputy at ")
    concern.refresh_from_db()
    assert concern.acknowledged_by == cast.deputy


def test_acknowledge_from_the_queue(cast, client):
    concern = submit_test_concern(reporter=cast.clinician)
    response = _signed_in(client, cast.lead).post(
        reverse("escalation:acknowledge", args=[concern.pk]), {"next": QUEUE}, follow=True
    )
    assert "You acknowledged" in response.content.decode()
    concern.refresh_from_db()
    assert concern.acknowledged_by == cast.lead and concern.owner == cast.lead


def test_a_conflict_keeps_what_the_lead_typed(cast, client):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    services.close_concern(
        actor=cast.deputy,
        concern_id=concern.pk,
        expected_status="acknowledged",
        outcome="no_further_action",
        rationale="Known already.",
    )
    response = _signed_in(client, cast.lead).post(
        reverse("escalation:triage", args=[concern.pk]),
        {"expected_status": "acknowledged", "risk_rating": "high", "rating_rationale": "Children placed now."},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "changed by someone else" in body and "Children placed now." in body


# --- Acceptance 4: need to know and break-glass ----------------------------------------------------


def test_clinician_gets_404_for_another_clinicians_concern(cast, client):
    concern = submit_test_concern(reporter=cast.clinician)
    _signed_in(client, cast.other_clinician)
    assert client.get(concern.get_absolute_url()).status_code == 404
    assert client.get(reverse("escalation:concern", args=[concern.pk])).status_code == 403


def test_lead_of_another_team_reaches_a_concern_only_through_break_glass(cast, client):
    concern = submit_test_concern(reporter=cast.clinician)
    page = reverse("escalation:concern", args=[concern.pk])
    _signed_in(client, cast.lead_other_team)
    assert client.get(page).status_code == 404
    assert client.get(concern.get_absolute_url()).status_code == 404
    assert client.get(concern.get_absolute_url()).status_code == 404
    # Finding it by reference leads to the break-glass page, not to the concern.
    response = client.get(reverse("escalation:find_concern") + f"?reference={concern.reference}")
    glass = reverse("escalation:break_glass", args=[concern.pk])
    assert response.url == glass
    assert "a team you do not cover" in client.get(glass).content.decode()
    # No reason, no access.
    response = client.post(glass, {"reason": "  "})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert client.get(page).status_code == 404

    response = client.post(glass, {"reason": "Leah is off sick; the carer's LA rang me about him."})
    assert response.url == page
    assert client.get(page).status_code == 200
    # The grant opens the full concern page too (concerns.selectors asks escalation's provider).
    assert client.get(concern.get_absolute_url()).status_code == 200
    access = BreakGlassAccess.objects.get(concern_reference=concern.reference)
    assert access.actor == cast.lead_other_team and access.team == cast.team
    assert AuditEvent.objects.filter(action="concern.break_glass", subject_ref=concern.reference).exists()
    from alerts.models import OutboxMessage

    assert OutboxMessage.objects.filter(recipient=cast.lead, concern=concern).exists()  # the team's lead is told

    # The managers' review list shows it.
    client.logout()
    _signed_in(client, cast.manager)
    review = client.get(reverse("audit:break_glass")).content.decode()
    assert concern.reference in review

    # The grant ends with the working session.
    BreakGlassGrant.objects.filter(user=cast.lead_other_team).update(expires_at=timezone.now())
    client.logout()
    _signed_in(client, cast.lead_other_team)
    assert client.get(page).status_code == 404
    assert client.get(concern.get_absolute_url()).status_code == 404


def test_a_concern_about_a_staff_member_is_hidden_from_them_even_through_break_glass(cast, client):
    concern = submit_test_concern(
        reporter=cast.clinician,
        alleged_persons=[dict(identity="known", name="Olga Otherlead", staff_member=cast.lead_other_team)],
    )
    _signed_in(client, cast.lead_other_team)
    assert client.get(reverse("escalation:break_glass", args=[concern.pk])).status_code == 404
    with pytest.raises(services.ConcernNotAvailable):
        services.break_glass(actor=cast.lead_other_team, concern_id=concern.pk, reason="curious")


def test_lead_workflow_page_records_the_view_before_showing_it(cast, client):
    concern = submit_test_concern(reporter=cast.clinician)
    _signed_in(client, cast.lead).get(reverse("escalation:concern", args=[concern.pk]))
    assert AuditEvent.objects.filter(action="concern.viewed", subject_ref=concern.reference, actor=cast.lead).exists()


def test_workflow_panel_queries_do_not_grow_with_the_history(cast, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    concern = acknowledged(submit_test_concern(reporter=cast.clinician), by=cast.lead)
    page = reverse("escalation:concern", args=[concern.pk])
    _signed_in(client, cast.lead).get(page)
    with CaptureQueriesContext(connection) as before:
        client.get(page)
    for n in range(5):
        services.record_referral(
            actor=cast.lead,
            concern_id=concern.pk,
            expected_status="acknowledged" if n == 0 else "referred",
            agency="police",
            area=f"Area {n}",
            method="email",
            referred_at=timezone.now(),
        )
    with CaptureQueriesContext(connection) as after:
        client.get(page)
    assert len(after) == len(before)


def test_every_value_a_row_shows_is_escaped(cast, client):
    """The rows are built as HTML in Python (escalation.queue_rows): names typed by people are
    placed escaped, never as markup."""
    cast.clinician.full_name = 'Rhi <script>alert("x")</script> & Co'
    cast.clinician.save(update_fields=["full_name"])
    cast.team.name = "Team <b>bold</b>"
    cast.team.save(update_fields=["name"])
    concern = submit_test_concern(reporter=cast.clinician)
    body = _signed_in(client, cast.lead).get(QUEUE).content.decode()
    assert concern.reference in body
    assert "<script>alert" not in body and "<b>bold</b>" not in body
    assert "Rhi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in body
    assert "Team &lt;b&gt;bold&lt;/b&gt;" in body


@pytest.mark.parametrize("sort", ["owner", "reporter", "team"])
def test_orders_by_a_name_page_through_exactly_as_a_full_sort_would(cast, client, sort):
    """The orders by a name read only as far as the page asked for (escalation.selectors
    ._first_by_name): every page, both ways, must still be the full sort's slice, with people
    of the same name kept apart and the unowned after the owners (before them reversed)."""
    from accounts.roles import Role
    from tests.factories.accounts import UserFactory

    namesake = UserFactory(
        email="leah2@example.test",
        full_name="Leah Lead",
        roles=[Role.LEAD],
        teams=[cast.team],
        covered_teams=[cast.team],
    )
    first = submit_test_concern(reporter=cast.clinician)
    second = submit_test_concern(reporter=cast.other_clinician)
    rows = [first, second]
    rows += clone_open_concerns(first, 40, owner=cast.lead)
    rows += clone_open_concerns(second, 30, owner=namesake)
    rows += clone_open_concerns(first, 25, owner=cast.deputy)
    rows += clone_open_concerns(second, 20)
    key = {
        "owner": lambda c: (c.owner is None, c.owner.full_name if c.owner else "", c.owner_id or 0),
        "reporter": lambda c: (False, c.reporter.full_name, c.reporter_id),
        "team": lambda c: (False, c.team.name, c.team_id),
    }[sort]
    concerns = list(Concern.objects.filter(pk__in=[c.pk for c in rows]).select_related("owner", "reporter", "team"))
    expected = sorted(concerns, key=lambda c: (*key(c), c.next_due_at is None, c.next_due_at, c.submitted_at, c.pk))
    expected_desc = sorted(
        concerns,
        key=lambda c: (*key(c), c.next_due_at is None, c.next_due_at, c.submitted_at, c.pk),
        reverse=True,
    )
    client.force_login(cast.lead)
    for direction, order in (("asc", expected), ("desc", expected_desc)):
        seen = []
        for page in (1, 2, 3):
            body = client.get(QUEUE, {"sort": sort, "dir": direction, "page": page}).content.decode()
            seen += re.findall(r'<th scope="row" data-label="Reference"><a href="[^"]+">([^<]+)</a>', body)
        assert seen == [c.reference for c in order], (sort, direction)


def test_a_lead_covering_many_teams_gets_statements_with_few_parameters(cast):
    """The covered teams travel as one array parameter (concerns.lookups.AnyOf): the database
    driver caches the parsing of a statement only up to 50 parameters."""
    from escalation.selectors import QueueFilters, queue_for_lead
    from tests.factories.accounts import TeamFactory

    teams = [TeamFactory(name=f"Team {n}", code=f"team-{n}") for n in range(40)]
    cast.lead.covered_teams.add(*teams)
    lead = type(cast.lead).objects.get(pk=cast.lead.pk)
    concern = submit_test_concern(reporter=cast.clinician)
    rows = queue_for_lead(lead, QueueFilters())
    _sql, params = rows.query.sql_with_params()
    assert len(params) < 20
    assert concern in rows


def test_the_rows_write_dates_as_django_formats_them():
    """The rows write dates with each month's name translated once (escalation.queue_rows);
    they must read exactly as the "j M Y" and "j M Y H:i" formats would."""
    from django.utils import dateformat

    from escalation.queue_rows import _Dates

    dates = _Dates()
    for month in range(1, 13):
        moment = timezone.localtime(timezone.now().replace(month=month, day=7, hour=9, minute=5))
        assert dates.day(moment) == dateformat.format(moment, "j M Y")
        assert dates.day_and_time(moment) == dateformat.format(moment, "j M Y H:i")


def test_a_cell_label_with_braces_is_written_as_translated():
    """The cell labels are written into the row's markup once per page; a translation holding
    a brace must not be taken for a placeholder."""
    from escalation.queue_rows import ROW, _row_template

    names = ["l_reference", "l_team", "l_owner"]
    template = _row_template({name: f"{{{name}}} & {{0}}" for name in names})
    placeholders = {
        key: "x"
        for key in ("overdue", "url", "reference", "received_iso", "received", "urgency", "categories", "team")
        + ("reporter", "time_left", "chase", "risk", "status", "owner", "action")
        + ("l_received", "l_urgency", "l_categories", "l_reporter", "l_time_left", "l_risk", "l_status")
    }
    row = template.format(**placeholders)
    for name in names:
        assert f'data-label="{{{name}}} & {{0}}"' in row
    assert row.count('data-label="x"') == ROW.count("data-label=") - len(names)


def test_a_row_writes_its_received_time_in_uk_time(cast, client):
    """A concern received at 08:30 UTC in July shows 09:30 (British Summer Time)."""
    from datetime import UTC, datetime

    import time_machine

    with time_machine.travel(datetime(2026, 7, 1, 8, 30, tzinfo=UTC), tick=False):
        concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.lead)
    body = client.get(reverse("escalation:queue")).content.decode()
    row = body[body.index(concern.reference) : body.index("</tr>", body.index(concern.reference))]
    assert '<time datetime="2026-07-01T09:30:00+01:00">1 Jul 2026 09:30</time>' in row


def test_a_row_names_its_categories_from_its_codes_retired_ones_too(cast, client):
    from django.core.cache import cache

    from concerns.models import ConcernCategory
    from concerns.selectors import ACTIVE_CATEGORIES_KEY

    concern = submit_test_concern(reporter=cast.clinician, categories=("child-physical", "child-online"))
    labels = dict(ConcernCategory.objects.values_list("code", "label"))
    retired = ConcernCategory.objects.get(code="child-online")
    retired.active = False
    try:
        retired.save()
        client.force_login(cast.lead)
        body = client.get(reverse("escalation:queue")).content.decode()
        row = body[body.index(concern.reference) : body.index("</tr>", body.index(concern.reference))]
        named = [labels[code] for code in Concern.objects.get(pk=concern.pk).category_codes]
        assert sorted(named) == sorted([labels["child-physical"], labels["child-online"]])
        assert ", ".join(named) in row
    finally:
        # The test's transaction is rolled back; the lists it cached must not outlive it.
        cache.delete(ACTIVE_CATEGORIES_KEY)
