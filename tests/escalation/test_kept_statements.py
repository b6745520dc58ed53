"""The queue's page statements, compiled once and kept per process (escalation.kept_statements).

A kept statement must be exactly the statement the ORM would build for the same request at
its own time, for every variant of the queue and every kind of lead; and whatever its SQL reads
at run time (a staff allegation, a break-glass grant, a deadline passing) must show on the very
next request. What it was built from (the person's teams) must lead to another statement.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from concerns.models import Concern
from escalation import selectors
from escalation.kept_statements import DatabaseReadWhileBuilding, KeptStatements
from escalation.selectors import QUEUE_PAGE_SIZE, QUEUE_ROW_VALUES, QueueFilters, first_rows_of, queue_for_lead
from escalation.staff_services import link_alleged_person_to_staff
from escalation.views import _filtered_queue
from tests.escalation.test_queue_variants import _references, _variants
from tests.factories.accounts import UserFactory
from tests.factories.concerns import submit_test_concern
from tests.factories.queue import World, queue_world

pytestmark = pytest.mark.django_db
QUEUE = reverse("escalation:queue")
TOP = QUEUE_PAGE_SIZE + 1


@pytest.fixture
def world(cast) -> World:
    return queue_world(cast)


@pytest.fixture(autouse=True)
def no_kept_statements():
    selectors._queue_pages.clear()
    yield
    selectors._queue_pages.clear()


def _fresh(user):
    """The person as a new request reads them: nothing remembered on the object."""
    return User.objects.get(pk=user.pk)


def _filters(user, query: str) -> QueueFilters:
    request = RequestFactory().get(QUEUE + query)
    request.user = user
    _form, filters, _categories = _filtered_queue(request)
    return filters


def _statement_run(run) -> tuple[str, list[dict]]:
    """The one rows statement ``run`` sends (as PostgreSQL received it: text and values), and its rows."""
    with CaptureQueriesContext(connection) as captured:
        rows = run()
    statements = [query["sql"] for query in captured.captured_queries if " LIMIT " in query["sql"]]
    assert len(statements) == 1, statements
    return statements[0], rows


def test_a_kept_statement_is_the_one_the_orm_builds_at_the_later_time_for_every_variant(cast, world):
    organisation_wide = UserFactory(
        email="owen@example.test", full_name="Owen Orgwide", roles=[Role.LEAD], covers_all_teams=True
    )
    leads = [cast.lead, cast.deputy, organisation_wide]
    variants = _variants(world, cast) + ["", "?page=2", "?status=closed&closed_from=2020-01-01&closed_to=2030-12-31"]
    first_time = timezone.now()
    later = first_time + timedelta(days=3, hours=5)
    for lead in leads:
        for query in variants:
            person = _fresh(lead)
            filters = _filters(person, query)
            with time_machine.travel(first_time, tick=False):
                selectors.queue_page_rows(person, filters, now=timezone.now(), first=0, top=TOP)
    kept = len(selectors._queue_pages)
    assert kept >= len(variants)

    with time_machine.travel(later, tick=False):
        for lead in leads:
            for query in variants:
                person, again = _fresh(lead), _fresh(lead)
                filters = _filters(person, query)
                now = timezone.now()
                kept_sql, kept_rows = _statement_run(
                    lambda person=person, filters=filters, now=now: selectors.queue_page_rows(
                        person, filters, now=now, first=0, top=TOP
                    )
                )
                fresh_sql, fresh_rows = _statement_run(
                    lambda again=again, filters=filters, now=now: list(
                        first_rows_of(queue_for_lead(again, filters, now=now), filters, TOP)[0:TOP].values(
                            *QUEUE_ROW_VALUES
                        )
                    )
                )
                assert kept_sql == fresh_sql, (lead.email, query)
                assert kept_rows == fresh_rows, (lead.email, query)
    # Every statement of the later requests was a kept one.
    assert len(selectors._queue_pages) == kept


def test_the_time_of_each_request_decides_what_is_overdue(client, cast, world):
    """The same page asked again, after a deadline passed: the kept statement reads it as overdue."""
    client.force_login(cast.lead)
    due = Concern.objects.get(pk=world.immediate.pk).next_due_at
    with time_machine.travel(due - timedelta(minutes=5), tick=False):
        assert world.immediate.reference not in _references(client.get(QUEUE + "?overdue=on").content.decode())
    with time_machine.travel(due + timedelta(minutes=5), tick=False):
        assert world.immediate.reference in _references(client.get(QUEUE + "?overdue=on").content.decode())
    assert len(selectors._queue_pages) == 1


def test_a_concern_that_becomes_about_the_lead_leaves_their_kept_page_at_once(client, cast, world):
    client.force_login(cast.lead)
    assert world.immediate.reference in _references(client.get(QUEUE).content.decode())
    link_alleged_person_to_staff(
        actor=cast.deputy,
        concern_id=world.immediate.pk,
        alleged_person_id=world.immediate.alleged_persons.get().pk,
        staff_member_id=cast.lead.pk,
        reason="Named by the reporter.",
    )
    assert world.immediate.reference not in _references(client.get(QUEUE).content.decode())
    assert len(selectors._queue_pages) == 1


def test_a_lead_given_another_team_gets_a_statement_of_their_own(client, cast, world):
    client.force_login(cast.lead)
    assert world.other_team.reference not in _references(client.get(QUEUE).content.decode())
    cast.lead.covered_teams.add(cast.other_team)
    assert world.other_team.reference in _references(client.get(QUEUE).content.decode())
    cast.lead.covered_teams.remove(cast.other_team)
    assert world.other_team.reference not in _references(client.get(QUEUE).content.decode())
    assert len(selectors._queue_pages) == 2


def test_building_a_statement_to_keep_may_not_read_the_database(cast):
    kept = KeptStatements()

    def reads_while_building(at):
        team_ids = list(cast.team.__class__.objects.values_list("pk", flat=True))
        return Concern.objects.filter(team_id__in=team_ids).values("pk")

    with pytest.raises(DatabaseReadWhileBuilding):
        kept.rows("key", reads_while_building, now=timezone.now())
    assert len(kept) == 0


def test_the_oldest_statement_goes_when_the_process_keeps_its_most(cast):
    kept = KeptStatements(size=2)
    concern = submit_test_concern(reporter=cast.clinician)

    def build(at):
        return Concern.objects.filter(submitted_at__lt=at).values("pk")

    for key in ("first", "second", "third"):
        assert kept.rows(key, build, now=timezone.now()) == [{"pk": concern.pk}]
    assert len(kept) == 2
    assert kept.rows("first", build, now=concern.submitted_at - timedelta(seconds=1)) == []
    assert len(kept) == 2


def test_an_empty_question_is_kept_as_no_rows(cast):
    kept = KeptStatements()
    submit_test_concern(reporter=cast.clinician)
    with CaptureQueriesContext(connection) as captured:
        assert kept.rows("none", lambda at: Concern.objects.none().values("pk"), now=timezone.now()) == []
    assert len(captured) == 0


def test_values_pass_through_their_fields_converters_as_the_orm_reads_them(cast):
    """A field that decodes what PostgreSQL returns (JSON here) reads the same kept or not."""
    from audit.models import AuditEvent

    submit_test_concern(reporter=cast.clinician)
    kept = KeptStatements()

    def build(at):
        return AuditEvent.objects.filter(occurred_at__lt=at).order_by("pk").values("pk", "details")

    now = timezone.now()
    assert kept.statement("details", build).converters
    rows = kept.rows("details", build, now=now)
    assert rows and rows == list(build(now))
    assert any(isinstance(row["details"], dict) and row["details"] for row in rows)
