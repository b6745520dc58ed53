"""The database work of one full submit is fixed: no lookup done twice, nothing read that only the
page would show. A submit that succeeds redirects, so reading what the form's page explains
(the urgencies' policy times) or re-reading what the form has just checked is waste on the
busiest write of the portal."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import Concern
from tests.factories.concerns import formset_management, intake_form_data
from tests.factories.consent import ClientFactory

NEW = reverse("concerns:new")

# Statements of the full submit below, session and sign-in included (savepoints not counted).
# Raise it only for new work the submit must do, never for a lookup repeated.
MAX_STATEMENTS = 23


def full_form(client_id, **overrides) -> dict:
    """Every part of the record: two people at risk, an alleged person, a prior report, two
    categories, a client, emergency action and the account."""
    return intake_form_data(
        client=str(client_id),
        immediate_danger="yes",
        emergency_action="social_care",
        emergency_action_notes="Phoned the duty desk; reference given.",
        urgency="same_day",
        categories=["child-physical", "child-neglect"],
        observations="Bruising on the upper arm.",
        opinion="Risk of significant harm.",
        **formset_management("persons", 2),
        **{"persons-1-kind": "child", "persons-1-identity": "unknown", "persons-1-description": "Her brother"},
        **{"prior-0-recipient": "csc", "prior-0-made_by": "client", "prior-0-new_since": "It started again."},
        **{"alleged-0-identity": "known", "alleged-0-name": "Sam Example", "alleged-0-description": "Stepfather"},
        **{"alleged-0-position_of_trust": "no", "alleged-0-role": ""},
        **overrides,
    )


def statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_a_full_submit_does_each_lookup_once(client, cast, django_capture_on_commit_callbacks):
    person = ClientFactory(team=cast.team)
    client.force_login(cast.clinician)
    client.post(NEW, full_form(person.pk))  # the first request of a session does its own setup
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, full_form(person.pk))
    assert response.status_code == 302
    concern = Concern.objects.latest("pk")
    assert concern.persons_at_risk.count() == 2 and concern.prior_reports.count() == 1
    sql = statements(captured)
    inserted = next(i for i, s in enumerate(sql) if 'INSERT INTO "concerns_concern" (' in s)
    # The urgencies' policy times are the page's: a submit that succeeds never reads them. The
    # new concern's own clock reads its one policy, once, before the concern is written with it.
    assert len([s for s in sql if "alerts_escalationpolicy" in s]) == 1
    assert [s for s in sql[:inserted] if "alerts_escalationpolicy" in s]
    # The client, the categories and the key are each read once.
    assert len([s for s in sql if s.startswith("SELECT") and 'FROM "consent_client"' in s]) == 1
    assert len([s for s in sql if 'FROM "concerns_concerncategory"' in s]) == 1
    assert len([s for s in sql if s.startswith("SELECT") and '"concerns_concern"."submission_key" =' in s]) == 1
    assert len(sql) <= MAX_STATEMENTS, "\n".join(sql)


def test_a_refused_submit_still_shows_the_policy_times(client, cast):
    client.force_login(cast.clinician)
    # Someone in danger and no emergency action recorded: the page comes back with the question.
    response = client.post(NEW, intake_form_data(immediate_danger="yes", emergency_action=""))
    assert response.status_code == 200
    html = response.content.decode()
    urgency = html.split('id="div_id_urgency"', 1)[1].split("</fieldset>", 1)[0]
    assert "Anyone in immediate danger comes first" in html
    assert "acknowledge it within 15 minutes, at any hour" in urgency


def test_a_submit_writes_the_concern_row_once_with_the_deadline_it_opens(client, cast):
    """The trigger that keeps the queue's order would rewrite the row just written, and every
    queue index with it, if the concern were written without the deadline it then opens."""
    person = ClientFactory(team=cast.team)
    client.force_login(cast.clinician)

    def rows_updated() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'concerns_concern'")
            found = cursor.fetchone()
        return found[0] if found else 0

    before = rows_updated()
    assert client.post(NEW, full_form(person.pk)).status_code == 302
    assert rows_updated() == before
    concern = Concern.objects.latest("pk")
    deadline = concern.deadlines.get()
    assert (concern.next_due_at, concern.next_due_kind) == (deadline.due_at, deadline.kind)
    assert deadline.kind == "acknowledge_concern"
