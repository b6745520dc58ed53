"""Identifying an alleged person as staff after submission, and declaring a conflict of interest."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from concerns.models import ConflictOfInterest
from concerns.selectors import excluded_people, excluded_people_by_concern, is_about_staff
from escalation.models import LadoTask
from escalation.selectors import assignable_leads
from escalation.staff_services import AlreadyIdentified, link_alleged_person_to_staff
from tests.escalation.test_allegations_against_staff_crawl import normalised
from tests.factories.concerns import submit_test_concern
from tests.factories.workflow import acknowledged

pytestmark = pytest.mark.django_db


def link(concern, *, actor, staff):
    return link_alleged_person_to_staff(
        actor=actor,
        concern_id=concern.pk,
        alleged_person_id=concern.alleged_persons.get().pk,
        staff_member_id=staff.pk,
        reason="Named by the reporter.",
    )


def test_a_link_after_submission_opens_the_lado_task_and_takes_the_owner_off(cast):
    concern = acknowledged(submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="no"), by=cast.deputy)
    assert not LadoTask.objects.filter(concern=concern).exists()

    link(concern, actor=cast.lead, staff=cast.deputy)

    concern.refresh_from_db()
    assert concern.owner is None
    assert is_about_staff(concern)
    assert excluded_people(concern) == {cast.deputy.pk}
    assert LadoTask.objects.filter(concern=concern, completed_at__isnull=True).count() == 1
    assert cast.deputy not in assignable_leads(concern)
    event = AuditEvent.objects.get(action="concern.staff_identified")
    assert (event.actor, event.subject_ref, event.details["staff_member_id"]) == (
        cast.lead,
        concern.reference,
        cast.deputy.pk,
    )


def test_an_alleged_person_is_linked_once(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    link(concern, actor=cast.lead, staff=cast.other_clinician)
    with pytest.raises(AlreadyIdentified):
        link(concern, actor=cast.lead, staff=cast.clinician_other_team)


def test_a_deputy_declares_a_conflict_through_the_page_and_the_concern_is_gone_for_them(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.deputy)
    url = reverse("escalation:declare_conflict", args=[concern.pk])

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    assert not ConflictOfInterest.objects.exists()

    response = client.post(url, {"reason": "The client is my neighbour."})
    assert response.status_code == 302 and response["Location"] == reverse("escalation:queue")
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.person, conflict.reason) == (cast.deputy, "The client is my neighbour.")
    assert AuditEvent.objects.filter(action="concern.conflict_declared", actor=cast.deputy).exists()
    assert client.get(reverse("escalation:concern", args=[concern.pk])).status_code == 404
    assert concern.reference not in client.get(reverse("escalation:queue")).content.decode()
    assert cast.deputy.pk in excluded_people(concern)


def test_linking_needs_a_lead_who_may_work_on_the_concern(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.lead_other_team)
    assert client.get(reverse("escalation:link_staff", args=[concern.pk])).status_code == 404
    client.force_login(cast.clinician)
    assert client.get(reverse("escalation:link_staff", args=[concern.pk])).status_code == 403


def test_open_by_reference_answers_a_hidden_concern_as_one_that_does_not_exist(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    link(concern, actor=cast.lead, staff=cast.deputy)
    client.force_login(cast.deputy)
    find = reverse("escalation:find_concern")

    hidden = client.get(find, {"reference": concern.reference}, follow=True)
    missing = client.get(find, {"reference": "SG-2099-999999"}, follow=True)

    assert hidden.redirect_chain == missing.redirect_chain
    assert "No concern has that reference." in hidden.content.decode()
    assert concern.reference not in hidden.content.decode()


def test_the_dashboards_count_nothing_of_a_concern_hidden_from_the_manager_reading_them(cast):
    from escalation import dashboards
    from tests.factories.accounts import UserFactory

    other_manager = UserFactory(email="max@example.test", roles=["manager"])
    submit_test_concern(reporter=cast.clinician)
    about_manager = submit_test_concern(reporter=cast.clinician)
    link(about_manager, actor=cast.lead, staff=cast.manager)
    period = dashboards.Period.last(4)

    def counts(viewer):
        return (
            sum(row["concerns"] for row in dashboards.concerns_by_team(period, viewer=viewer)),
            sum(row["concerns"] for row in dashboards.concerns_by_urgency(period, viewer=viewer)),
            sum(row["concerns"] for row in dashboards.concerns_by_category(period, viewer=viewer)),
            sum(row["submitted"] for row in dashboards.time_to_acknowledge_by_week(period, viewer=viewer)),
            sum(row["not_yet_due"] for row in dashboards.deadlines_met_and_missed(period, viewer=viewer)),
        )

    seen_by_other, seen_by_named = counts(other_manager), counts(cast.manager)
    assert seen_by_other[:4] == (2, 2, 2, 2)
    assert seen_by_named[:4] == (1, 1, 1, 1)
    assert seen_by_named[4] < seen_by_other[4]


def test_a_sweep_batch_excludes_exactly_whom_each_concern_excludes(cast):
    named = submit_test_concern(reporter=cast.clinician, alleged_persons=[dict(staff_member=cast.other_clinician)])
    linked = submit_test_concern(reporter=cast.clinician)
    link(linked, actor=cast.lead, staff=cast.deputy)
    conflicted = submit_test_concern(reporter=cast.clinician)
    ConflictOfInterest.objects.create(concern=conflicted, person=cast.lead, declared_by=cast.lead, reason="My niece")
    plain = submit_test_concern(reporter=cast.clinician)
    concerns = [named, linked, conflicted, plain]
    batch = excluded_people_by_concern([c.pk for c in concerns])
    assert batch == {c.pk: frozenset(excluded_people(c)) for c in concerns}
    assert batch[linked.pk] == {cast.deputy.pk} and batch[conflicted.pk] == {cast.lead.pk}


def test_the_hidden_concerns_are_found_by_person_never_by_a_pass_over_every_concern(cast):
    """Every list, count and the bell exclude them: three index lookups by person, no scan of the
    concerns table (at 100k concerns the scan cost the bell half a second on every page)."""
    from concerns.selectors import concern_ids_hidden_from

    sql = str(concern_ids_hidden_from(cast.lead).query)
    assert '"concerns_concern"' not in sql
    assert sql.count("UNION ALL") == 2


def test_the_hidden_rule_compiled_once_is_the_rule_compiled_each_time(cast):
    """The bell and the dashboards use the rule's SQL compiled once per process: for each
    person it must be exactly what the ORM writes for them, and find the same concerns."""
    from django.db import connection

    from concerns.selectors import concern_ids_hidden_from, concern_ids_hidden_from_sql

    concern = submit_test_concern(reporter=cast.clinician)
    link(concern, actor=cast.lead, staff=cast.deputy)
    for person in (cast.lead, cast.deputy, cast.manager, cast.lead):
        sql, params = concern_ids_hidden_from(person).query.sql_with_params()
        assert concern_ids_hidden_from_sql(person) == (sql, list(params))
        with connection.cursor() as cursor:
            cursor.execute(*concern_ids_hidden_from_sql(person))
            found = {row[0] for row in cursor.fetchall()}
        assert found == set(concern_ids_hidden_from(person).values_list("concern_id", flat=True))
        assert (concern.pk in found) == (person == cast.deputy)


def test_a_manager_linked_after_submission_cannot_open_the_case_file_or_its_print(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.manager)
    case_file = reverse("escalation:concern", args=[concern.pk])
    assert client.get(case_file).status_code == 200

    link(concern, actor=cast.lead, staff=cast.manager)

    missing = client.get(reverse("escalation:concern", args=[concern.pk + 10_000]))
    for url in (case_file, reverse("escalation:concern_print", args=[concern.pk])):
        response = client.get(url)
        assert normalised(response, {}) == normalised(missing, {})
