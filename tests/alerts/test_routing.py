"""Who an alert goes to: no alert to nobody, and never to anyone a concern must never reach.

The chain (alerts.selectors): the owner or the rota, the team's leads, the organisation-wide
leads, the managers, the allegations manager named in the admin.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import Role
from alerts.models import Alert, Channel, DutyShift, Notification, OutboxMessage, RecipientRole
from alerts.selectors import AudienceSource, audience_for, rota_gaps
from alerts.services.sweep import run_sweep
from audit.models import AuditEvent
from concerns.models import AllegedPerson
from escalation import services as workflow
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.clocks import make_due_concern
from tests.factories.concerns import submit_test_concern


def alert_recipients(concern, step: int = 1) -> set:
    alert = Alert.objects.get(deadline__concern=concern, deadline__kind="acknowledge_concern", step=step)
    return {m.recipient for m in OutboxMessage.objects.filter(alert=alert, channel=Channel.EMAIL)}


def fire_step(concern, step: int) -> None:
    """Make the concern's acknowledgement step ``step`` due now and sweep once."""
    from alerts.models import Deadline

    deadline = Deadline.objects.get(concern=concern, kind="acknowledge_concern")
    Deadline.objects.filter(pk=deadline.pk).update(step=step - 1, next_fire_at=timezone.now() - timedelta(seconds=1))
    run_sweep()


def about(concern, *people) -> None:
    """Name ``people`` (staff accounts) as alleged persons of the concern."""
    for position, person in enumerate(people, start=10):
        AllegedPerson.objects.create(concern=concern, position=position, staff_member=person)


def on_shift(person, team, role="lead"):
    now = timezone.now()
    return DutyShift.objects.create(
        user=person, role=role, team=team, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8)
    )


@pytest.fixture
def uncovered(cast):
    """A team nobody covers by name; the cast's clinician works in it."""
    team = TeamFactory(name="Outreach", code="outreach")
    cast.clinician.teams.add(team)
    return team


@pytest.fixture
def org_lead(db):
    return UserFactory(email="orla@example.test", full_name="Orla Orgwide", roles=[Role.LEAD], covers_all_teams=True)


def set_allegations_manager(person) -> None:
    organisation = Organisation.current()
    organisation.allegations_manager = person
    organisation.save()


# --- No alert to nobody ---------------------------------------------------------------------------


def test_a_team_without_cover_is_heard_by_the_organisation_wide_lead_then_the_managers(cast, uncovered, org_lead):
    """Acceptance (nations) 3, the routing: the new-concern notice, step 1 and step 2."""
    concern = submit_test_concern(reporter=cast.clinician, team=uncovered)
    told = OutboxMessage.objects.filter(concern=concern, alert__isnull=True, channel=Channel.EMAIL)
    assert {m.recipient for m in told} == {org_lead}

    fire_step(concern, 1)
    assert alert_recipients(concern, 1) == {org_lead}
    fire_step(concern, 2)
    assert alert_recipients(concern, 2) == {cast.manager}
    event = AuditEvent.objects.filter(action="alert.created", subject_ref=concern.reference).order_by("id").first()
    assert event.details["routed_to"] == AudienceSource.ORGANISATION_LEADS
    assert "reached the organisation-wide leads" in event.readable_details.sentence
    body = OutboxMessage.objects.filter(alert__step=1, recipient=org_lead, channel=Channel.EMAIL).get().body
    assert "as an organisation-wide lead" in body


def test_without_an_organisation_wide_lead_the_managers_hear_at_once(cast, uncovered):
    concern, _ = make_due_concern(team=uncovered, reporter=cast.clinician)
    run_sweep()
    assert alert_recipients(concern) == {cast.manager}


def test_with_nobody_at_all_the_allegations_manager_hears(cast, uncovered):
    cast.manager.groups.clear()
    set_allegations_manager(cast.administrator)
    concern, _ = make_due_concern(team=uncovered, reporter=cast.clinician)
    run_sweep()
    assert alert_recipients(concern) == {cast.administrator}


def test_a_lead_on_leave_is_skipped_and_leave_only_counts_when_nobody_else_is_left(cast):
    now = timezone.now()
    cast.lead.leave.create(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    audience = audience_for(recipients=RecipientRole.DUTY_LEADS, team=cast.team)
    assert (audience.people, audience.source) == ([cast.deputy], AudienceSource.TEAM_LEADS)
    cast.deputy.leave.create(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    # The whole team is away: the managers stand in rather than two people on leave.
    assert audience_for(recipients=RecipientRole.DUTY_LEADS, team=cast.team).people == [cast.manager]
    cast.manager.leave.create(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    # Everyone is away: the chain runs again ignoring leave rather than telling no one.
    away = audience_for(recipients=RecipientRole.DUTY_LEADS, team=cast.team)
    assert (set(away.people), away.on_leave) == ({cast.lead, cast.deputy}, True)


def test_an_owner_on_leave_is_not_the_one_told(cast):
    now = timezone.now()
    cast.lead.leave.create(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    audience = audience_for(recipients=RecipientRole.DUTY_LEADS, team=cast.team, owner=cast.lead)
    assert audience.people == [cast.deputy]


# --- Never to anyone the concern must never reach ---------------------------------------------------


def test_the_owner_named_in_the_concern_is_skipped_for_the_next_person_in_the_policy(cast):
    concern, _ = make_due_concern(team=cast.team, reporter=cast.clinician, owner=cast.deputy)
    about(concern, cast.deputy)
    on_shift(cast.lead, cast.team)
    run_sweep()
    assert alert_recipients(concern) == {cast.lead}


def test_the_duty_lead_named_in_the_concern_is_skipped(cast):
    on_shift(cast.lead, cast.team)  # the only person on the rota
    concern, _ = make_due_concern(team=cast.team, reporter=cast.clinician)
    about(concern, cast.lead)
    run_sweep()
    assert alert_recipients(concern) == {cast.deputy}
    assert not Notification.objects.filter(user=cast.lead).exists()


def test_a_manager_named_in_the_concern_is_skipped_for_the_other_managers(cast):
    other_manager = UserFactory(email="max@example.test", full_name="Max Manager", roles=[Role.MANAGER])
    concern, _ = make_due_concern(team=cast.team, reporter=cast.clinician)
    about(concern, cast.manager)
    fire_step(concern, 2)
    assert alert_recipients(concern, 2) == {other_manager}
    # The named-lead step falls back to the managers too: still not the one named.
    fire_step(concern, 3)
    assert alert_recipients(concern, 3) == {other_manager}


def test_with_everyone_named_the_allegations_manager_hears_and_the_message_gives_no_hint(cast):
    allegations_manager = UserFactory(email="ann@example.test", full_name="Ann Allegations")
    set_allegations_manager(allegations_manager)
    concern, _ = make_due_concern(team=cast.team, reporter=cast.clinician)
    about(concern, cast.lead, cast.deputy, cast.manager)
    run_sweep()
    assert alert_recipients(concern) == {allegations_manager}
    message = OutboxMessage.objects.get(alert__deadline__concern=concern, channel=Channel.EMAIL)
    assert "as the allegations manager, because nobody else could be told" in message.body
    for word in ("alleged", "conflict", "excluded", "never", cast.lead.full_name, cast.deputy.full_name):
        assert word.lower() not in (message.subject + message.body).lower()
    event = AuditEvent.objects.get(action="alert.created", subject_ref=concern.reference)
    assert event.details["routed_to"] == AudienceSource.ALLEGATIONS_MANAGER
    assert event.details["recipient_ids"] == [allegations_manager.pk]


def test_the_new_concern_notice_skips_the_person_it_is_about(cast):
    on_shift(cast.deputy, cast.team, role="deputy")
    on_shift(cast.lead, cast.team)
    concern = submit_test_concern(
        reporter=cast.clinician,
        alleged_persons=[dict(identity="known", name="D. Deputy", staff_member=cast.deputy)],
    )
    told = {m.recipient for m in OutboxMessage.objects.filter(concern=concern)}
    assert cast.lead in told and cast.deputy not in told
    assert not Notification.objects.filter(user=cast.deputy).exists()


def test_assignment_and_break_glass_notices_never_reach_the_person_concerned(cast):
    concern = submit_test_concern(
        reporter=cast.clinician,
        alleged_persons=[dict(identity="known", name="D. Deputy", staff_member=cast.deputy)],
    )
    workflow.acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    with pytest.raises(workflow.WorkflowError):
        workflow.assign_concern(actor=cast.lead, concern_id=concern.pk, new_owner_id=cast.deputy.pk)
    # Another team's lead breaks the glass: the team's leads are told, never the deputy.
    workflow.break_glass(actor=cast.lead_other_team, concern_id=concern.pk, reason="Family moved to our area")
    notices = OutboxMessage.objects.filter(concern=concern, idempotency_key__startswith="break-glass:")
    assert {m.recipient for m in notices} == {cast.lead}
    assert not OutboxMessage.objects.filter(recipient=cast.deputy).exists()


def test_a_message_to_an_excluded_person_is_dropped_whatever_the_caller_asks(cast):
    from alerts.services.outbox import queue_for_people, queue_message

    concern, _ = make_due_concern(team=cast.team, reporter=cast.clinician)
    about(concern, cast.deputy)
    queue_for_people(people=[cast.lead, cast.deputy], key="test", subject="s", body="b", concern=concern)
    message, created = queue_message(
        channel=Channel.EMAIL, idempotency_key="single", subject="s", body="b", recipient=cast.deputy, concern=concern
    )
    assert (message, created) == (None, False)
    assert {m.recipient for m in OutboxMessage.objects.all()} == {cast.lead}


# --- Cover and rota warnings ----------------------------------------------------------------------


def test_healthz_is_degraded_not_down_while_a_team_has_no_cover(client, cast, uncovered):
    from health.services import record_heartbeat

    for name in ("worker:test@host", "beat", "sweep"):
        record_heartbeat(name=name)
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["components"]["cover"] == {"healthy": False, "detail": "1 team without cover", "critical": False}
    assert "Outreach" not in response.content.decode()  # public: a count, never the names

    cast.lead.covered_teams.add(uncovered)
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["components"]["cover"]["healthy"] is True


def test_the_admin_warns_about_teams_without_cover_and_rota_gaps(client, cast, uncovered):
    on_shift(cast.lead, cast.team)  # eight hours of rota, then nothing: a gap
    client.force_login(cast.administrator)
    cast.administrator.is_superuser = True
    cast.administrator.save(update_fields=["is_superuser"])

    index = client.get(reverse("admin:index")).content.decode()
    assert "No lead or deputy covers Outreach" in index
    assert "Rota gap for Children and families" in index

    teams = client.get(reverse("admin:accounts_team_changelist")).content.decode()
    assert "No lead or deputy covers Outreach" in teams
    rota = client.get(reverse("admin:alerts_dutyshift_changelist")).content.decode()
    assert "Rota gap for Children and families" in rota


def test_rota_gaps_over_the_next_fourteen_days(cast):
    now = timezone.now().replace(second=0, microsecond=0)
    day = timedelta(days=1)
    # The lead is on duty for the whole fortnight but away for a day in the middle; the
    # deputy covers the first half of that day.
    DutyShift.objects.create(user=cast.lead, role="lead", team=cast.team, starts_at=now - day, ends_at=now + 20 * day)
    cast.lead.leave.create(starts_at=now + 3 * day, ends_at=now + 4 * day)
    DutyShift.objects.create(
        user=cast.deputy, role="deputy", team=None, starts_at=now + 3 * day, ends_at=now + 3 * day + timedelta(hours=12)
    )
    gaps = rota_gaps(now=now)
    assert [(g.team, g.starts_at, g.ends_at) for g in gaps] == [
        (cast.team, now + 3 * day + timedelta(hours=12), now + 4 * day)
    ]
    # A team with no rota at all is not a rota gap (its covering leads are its plan).
    assert all(g.team != cast.other_team for g in gaps)


# --- Every level in one statement -----------------------------------------------------------------


def test_every_level_is_read_in_one_statement_and_names_who_its_own_definition_names(cast, org_lead):
    """The chain's levels are read together, by one statement written by hand. Each level must
    hold exactly the people its own definition (the rota, accounts.selectors, the organisation's
    allegations manager) holds, each with their leave."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from accounts.roles import LEAD_ROLES
    from accounts.selectors import organisation_wide_leads, team_leads, users_with_role
    from alerts.selectors import _read_levels, on_duty

    def definitions(team, now) -> dict:
        return {
            AudienceSource.ROTA: on_duty(team=team, at=now),
            AudienceSource.TEAM_LEADS: team_leads(team) if team is not None else users_with_role(*LEAD_ROLES),
            AudienceSource.ORGANISATION_LEADS: organisation_wide_leads(),
            AudienceSource.MANAGERS: users_with_role(Role.MANAGER),
            AudienceSource.ALLEGATIONS_MANAGER: User.objects.filter(
                is_active=True, pk=Organisation.current().allegations_manager_id
            ),
        }

    now = timezone.now()
    second_team = TeamFactory(name="Second", code="second")
    on_shift(cast.deputy, cast.team, role="deputy")
    on_shift(cast.lead, cast.team)  # on the rota, but on leave: not on duty
    on_shift(org_lead, None)  # a shift without a team counts for every team its person covers
    cast.lead.leave.create(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    UserFactory(
        email="gone@example.test", full_name="Gone Lead", roles=[Role.LEAD], covered_teams=[cast.team], is_active=False
    )
    set_allegations_manager(cast.administrator)
    for team in (cast.team, second_team, None):
        for excluded in (frozenset(), frozenset({cast.deputy.pk, cast.manager.pk})):
            with CaptureQueriesContext(connection) as statements:
                levels = _read_levels(team, now, excluded)
            assert len(statements.captured_queries) == 1
            for source, defined in definitions(team, now).items():
                people = defined.exclude(pk__in=excluded).order_by("full_name", "pk")
                expected = [
                    (person, person.leave.filter(starts_at__lte=now, ends_at__gt=now).exists()) for person in people
                ]
                assert levels.get(source, []) == expected, (team, excluded, source)
            assert sum(len(people) for people in levels.values()) >= 3  # the comparison compared someone


def test_an_alert_audience_is_one_statement_whichever_level_it_reaches(cast, uncovered, org_lead):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for team, reached in ((cast.team, AudienceSource.TEAM_LEADS), (uncovered, AudienceSource.ORGANISATION_LEADS)):
        with CaptureQueriesContext(connection) as statements:
            audience = audience_for(recipients=RecipientRole.DUTY_LEADS, team=team)
        assert audience.source == reached
        assert len(statements.captured_queries) == 1
