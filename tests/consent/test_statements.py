"""Confidentiality statements: administrators publish versions; a published version never changes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consent import services
from consent.models import ConfidentialityStatement
from consent.selectors import current_statement
from tests.factories.consent import published_statement


def test_an_administrator_drafts_edits_and_publishes_a_version(client, cast):
    client.force_login(cast.administrator)
    response = client.post(reverse("consent:statement_new"), {"title": "Limits", "text": "First wording."})
    statement = ConfidentialityStatement.objects.get()
    assert response.status_code == 302 and statement.version == 1 and not statement.is_published
    client.post(reverse("consent:statement_edit", args=[statement.pk]), {"title": "Limits", "text": "Better."})
    statement.refresh_from_db()
    assert statement.text == "Better."

    today = timezone.localdate()
    response = client.post(
        reverse("consent:statement_publish", args=[statement.pk]), {"effective_from": today.isoformat()}
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.is_published and statement.effective_from == today
    assert current_statement() == statement
    assert AuditEvent.objects.filter(action="statement.published", subject_id=str(statement.pk)).exists()
    assert client.get(reverse("consent:statement_list")).status_code == 200
    assert client.get(reverse("consent:statement_detail", args=[statement.pk])).status_code == 200


def test_only_administrators_write_statements_but_everyone_reads_published_ones(client, cast):
    draft = services.create_statement_draft(actor=cast.administrator, title="Draft", text="Not yet.")
    live = published_statement(version=2)
    client.force_login(cast.clinician)
    assert client.get(reverse("consent:statement_new")).status_code == 403
    assert client.post(reverse("consent:statement_publish", args=[draft.pk]), {}).status_code == 403
    assert client.get(reverse("consent:statement_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("consent:statement_detail", args=[live.pk])).status_code == 200


def test_a_published_version_cannot_be_edited_by_the_service_or_the_page(client, cast):
    statement = published_statement(version=1)
    with pytest.raises(ValidationError):
        services.update_statement_draft(actor=cast.administrator, statement=statement, title="x", text="changed")
    client.force_login(cast.administrator)
    response = client.post(reverse("consent:statement_edit", args=[statement.pk]), {"title": "x", "text": "y"})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.text != "y"


def test_publishing_refuses_past_dates_and_dates_before_the_version_in_force(cast):
    published_statement(version=1, effective_from=timezone.localdate() + datetime.timedelta(days=10))
    draft = services.create_statement_draft(actor=cast.administrator, title="v2", text="Second.")
    with pytest.raises(ValidationError, match="past"):
        services.publish_statement(
            actor=cast.administrator, statement=draft, effective_from=timezone.localdate() - datetime.timedelta(1)
        )
    with pytest.raises(ValidationError, match="previous version takes effect"):
        services.publish_statement(actor=cast.administrator, statement=draft, effective_from=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.publish_statement(actor=cast.clinician, statement=draft)
