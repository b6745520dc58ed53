"""The managers' trail reads events through the registry: labels, sentences, kinds, export columns."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.actions import AuditAction, AuditKind, codes_of_kind
from audit.exports import COLUMNS
from audit.forms import action_suggestions
from audit.models import AuditEvent
from audit.services import record_event


@pytest.fixture
def manager_client(client, cast):
    client.force_login(cast.manager)
    return client


RISK_CHANGE = {"previous_rating": "medium", "risk_rating": "high", "reason": "Children placed now."}


def test_the_trail_shows_labels_and_sentences_never_dicts(manager_client, cast):
    record_event(
        action=AuditAction.CONCERN_RISK_CHANGED, actor=cast.lead, subject_ref="SG-2026-000020", details=RISK_CHANGE
    )
    record_event(action=AuditAction.AUDIT_EXPORTED, actor=cast.manager, details={"filter": {"action": "auth."}})
    html = manager_client.get(reverse("audit:trail")).content.decode()
    assert "Risk rating changed" in html and "concern.risk_changed" in html
    assert "from Medium to High, reason: Children placed now." in html
    assert "filter: action: auth." in html
    assert "previous_rating" not in html
    assert "{&#x27;" not in html and "{&quot;" not in html


def test_an_old_code_and_odd_details_render_on_the_trail(manager_client):
    AuditEvent.objects.create(
        occurred_at=timezone.now(),
        action="concern.printed",
        details={"view": {"nested": ["<b>bold</b>", None]}},
        prev_hash="0" * 64,
        hash="e" * 64,
    )
    response = manager_client.get(reverse("audit:trail"), {"reference": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Concern: printed" in html
    assert "view: nested: &lt;b&gt;bold&lt;/b&gt;" in html  # text, escaped


def test_the_trail_filters_by_kind(manager_client, cast):
    record_event(action=AuditAction.AUTH_LOGIN, actor=cast.clinician)
    viewed = record_event(action=AuditAction.CONCERN_VIEWED, actor=cast.lead, subject_ref="SG-2026-000021")
    response = manager_client.get(reverse("audit:trail"), {"kind": AuditKind.ACCESS})
    shown = [e for e in response.context["page"].events if e.action != "audit.viewed"]
    assert [e.id for e in shown] == [viewed.id]
    assert {e.action for e in response.context["page"].events} <= set(codes_of_kind(AuditKind.ACCESS))
    assert AuditEvent.objects.filter(action="audit.viewed").latest("id").details["filter"]["kind"] == "access"


def test_an_unknown_kind_is_explained_and_does_not_filter(manager_client, cast):
    record_event(action=AuditAction.AUTH_LOGIN, actor=cast.clinician)
    response = manager_client.get(reverse("audit:trail"), {"kind": "nonsense"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert any(e.action == "auth.login" for e in response.context["page"].events)


def test_the_suggestions_are_the_registry():
    values = [value for value, _label in action_suggestions()]
    codes = {action.value for action in AuditAction}
    assert codes <= set(values)
    assert "concern.printed" not in values and "concern.exported" not in values
    assert all(value in codes or value.endswith(".") for value in values)


def test_the_export_keeps_the_raw_columns_and_adds_readable_ones(client, cast):
    assert COLUMNS[-3:] == ["hash", "action_label", "details_readable"]
    record_event(
        action=AuditAction.CONCERN_RISK_CHANGED, actor=cast.lead, subject_ref="SG-2026-000022", details=RISK_CHANGE
    )
    client.force_login(cast.manager)
    body = b"".join(client.get(reverse("audit:export"), {"reference": "SG-2026-000022"}).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1
    row = rows[0]
    assert json.loads(row["details"]) == RISK_CHANGE
    assert row["action"] == "concern.risk_changed" and row["action_label"] == "Risk rating changed"
    assert row["details_readable"] == "from Medium to High, reason: Children placed now."
