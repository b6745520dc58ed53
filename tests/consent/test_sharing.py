"""Information-sharing decisions and whether the client was told, on a concern."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consent import services
from consent.models import ClientInformedRecord, LawfulBasisOption, SharingDecision
from consent.signals import review_date_set
from tests.factories.concerns import submit_test_concern


@pytest.fixture
def concern(cast):
    return submit_test_concern(reporter=cast.clinician)


def defaults():
    return {o.kind: o for o in LawfulBasisOption.objects.filter(safeguarding_default=True)}


def share_without_consent(**overrides):
    basis = defaults()
    data = {
        "decision": "share",
        "recipients": "Children's social care front door (MASH), duty social worker",
        "purpose": "Protect children placed with the foster carer",
        "information_shared": "Adult client reports childhood sexual abuse by a man now fostering.",
        "consent": "not_sought",
        "not_sought_reason": "risk_to_person",
        "without_consent_justification": "Children may be at risk now; asking could alert the carer.",
        "article6_basis": basis["article6"].pk,
        "article9_condition": basis["article9"].pk,
        "common_law_basis": basis["common_law"].pk,
        "necessity_proportionality": "Only what the MASH needs to check the placement.",
        "identities_to_protect": "The client's identity, from the foster carer.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_preselects_the_safeguarding_defaults(client, cast, concern):
    client.force_login(cast.clinician)
    response = client.get(reverse("concerns:sharing_new", args=[concern.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    basis = defaults()
    assert form["article6_basis"].value() == basis["article6"].pk
    assert form["article9_condition"].value() == basis["article9"].pk
    assert form["common_law_basis"].value() == basis["common_law"].pk
    assert "Schedule 1 paragraph 18" in response.content.decode()


def test_sharing_without_consent_needs_a_reason_and_a_lawful_basis_through_the_form(client, cast, concern):
    """Acceptance 2, the form."""
    client.force_login(cast.clinician)
    url = reverse("concerns:sharing_new", args=[concern.pk])
    response = client.post(
        url,
        share_without_consent(
            without_consent_justification="", article6_basis="", common_law_basis="", not_sought_reason=None
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "needs a reason" in errors["without_consent_justification"][0]
    assert "lawful basis" in errors["article6_basis"][0]
    assert "lawful basis" in errors["common_law_basis"][0]
    assert "why consent was not sought" in errors["not_sought_reason"][0]
    html = response.content.decode()
    assert "There is a problem" in html and "Protect children placed with the foster carer" in html
    assert not SharingDecision.objects.exists()

    response = client.post(url, share_without_consent())
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:detail", args=[concern.pk])
    decision = SharingDecision.objects.get()
    assert decision.is_without_consent and decision.decided_by == cast.clinician
    event = AuditEvent.objects.get(action="sharing.decision_recorded")
    assert event.subject_ref == concern.reference and event.details["without_consent"] is True
    assert "information_shared" not in event.details


def test_refused_consent_needs_the_clients_reasons(client, cast, concern):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("concerns:sharing_new", args=[concern.pk]),
        share_without_consent(consent="sought_refused", not_sought_reason=None),
    )
    assert "client's reasons" in response.context["form"].errors["refusal_reasons"][0]


def test_sharing_without_consent_cannot_be_inserted_straight_into_the_database(cast, concern):
    """Acceptance 2, the database: a raw INSERT without reason and basis fails the named constraint."""
    insert = """
        INSERT INTO consent_sharingdecision (
            concern_id, decision, decided_at, decided_by_id, recipients, purpose, information_shared,
            transmission, consent, refusal_reasons, not_sought_reason, not_sought_other,
            without_consent_justification, article6_basis_id, article9_condition_id, common_law_basis_id,
            necessity_proportionality, identities_to_protect, advice_taken, advice_from, not_sharing_reasons
        ) VALUES (%s, 'share', now(), %s, 'Police', 'Protect children', 'Everything', '', 'not_sought', '',
                  'not_in_time', '', %s, %s, NULL, %s, '', '', false, '', '')
    """
    basis = defaults()
    for justification, article6, common_law in [
        ("", basis["article6"].pk, basis["common_law"].pk),  # no reason
        ("Risk to children", None, basis["common_law"].pk),  # no Article 6 basis
        ("Risk to children", basis["article6"].pk, None),  # no common-law justification
    ]:
        with pytest.raises(IntegrityError, match="consent_sharing_without_consent_needs_reason_and_basis"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(insert, [concern.pk, cast.clinician.pk, justification, article6, common_law])
    with connection.cursor() as cursor:  # the same row with a reason and a basis is accepted
        cursor.execute(
            insert, [concern.pk, cast.clinician.pk, "Risk to children", basis["article6"].pk, basis["common_law"].pk]
        )
    assert SharingDecision.objects.count() == 1


def test_a_decision_not_to_share_needs_reasons_and_a_review_date_and_starts_a_clock(cast, concern):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.record_sharing_decision(
            actor=cast.clinician,
            concern=concern,
            decision="not_share",
            purpose="Client's own history",
            consent="sought_given",
        )
    assert set(caught.value.message_dict) == {"not_sharing_reasons", "review_on"}

    sent = []

    @receiver(review_date_set)
    def capture(sender, **kwargs):
        sent.append(kwargs)

    review_on = timezone.localdate() + datetime.timedelta(days=14)
    try:
        decision = services.record_sharing_decision(
            actor=cast.lead,
            concern=concern,
            decision="not_share",
            purpose="Client's own history",
            consent="sought_given",
            not_sharing_reasons="No child in contact now.",
            review_on=review_on,
        )
    finally:
        review_date_set.disconnect(capture)
    assert sent == [
        dict(
            signal=review_date_set,
            obligation="sharing_review",
            subject=decision,
            due_on=review_on,
            concern=concern,
            actor=cast.lead,
        )
    ]


def test_a_change_of_mind_supersedes_the_earlier_decision(client, cast, concern):
    first = services.record_sharing_decision(
        actor=cast.clinician,
        concern=concern,
        decision="not_share",
        purpose="p",
        consent="sought_given",
        not_sharing_reasons="Not yet clear",
        review_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    client.force_login(cast.lead)
    url = reverse("concerns:sharing_new", args=[concern.pk]) + f"?supersedes={first.pk}"
    assert client.get(url).context["form"]["not_sharing_reasons"].value() == "Not yet clear"
    assert client.post(url, share_without_consent()).status_code == 302
    latest = SharingDecision.objects.latest("id")
    assert latest.supersedes == first and latest.decided_by == cast.lead
    assert SharingDecision.objects.count() == 2


def test_sharing_pages_are_404_for_people_who_may_not_see_the_concern(client, cast, concern):
    for person in (cast.other_clinician, cast.clinician_other_team, cast.lead_other_team):
        client.force_login(person)
        assert client.get(reverse("concerns:sharing_new", args=[concern.pk])).status_code == 404
        assert (
            client.post(reverse("concerns:sharing_new", args=[concern.pk]), share_without_consent()).status_code == 404
        )
        assert client.get(reverse("concerns:client_informed_new", args=[concern.pk])).status_code == 404
    assert not SharingDecision.objects.exists()


def test_not_telling_the_client_needs_a_reason_and_a_review_date(client, cast, concern):
    client.force_login(cast.clinician)
    url = reverse("concerns:client_informed_new", args=[concern.pk])
    response = client.post(url, {"status": "not_told", "advised_by": "Police asked us to wait"})
    errors = response.context["form"].errors
    assert set(errors) == {"reason", "review_on"}
    assert response.context["form"]["advised_by"].value() == "Police asked us to wait"

    sent = []

    @receiver(review_date_set)
    def capture(sender, **kwargs):
        sent.append(kwargs)

    review_on = timezone.localdate() + datetime.timedelta(days=7)
    try:
        response = client.post(
            url, {"status": "not_told", "reason": "prejudice_enquiry", "review_on": review_on.isoformat()}
        )
    finally:
        review_date_set.disconnect(capture)
    assert response.status_code == 302
    record = ClientInformedRecord.objects.get()
    assert sent[0]["obligation"] == "client_informed_review" and sent[0]["subject"] == record
    assert sent[0]["concern"] == concern and sent[0]["due_on"] == review_on
    event = AuditEvent.objects.get(action="client_informed.recorded")
    assert event.subject_ref == concern.reference


def test_not_told_without_a_reason_is_refused_by_the_database(cast, concern):
    with pytest.raises(IntegrityError, match="consent_informed_not_told_reason_and_review"):
        with transaction.atomic():
            ClientInformedRecord.objects.create(concern=concern, status="not_told", recorded_by=cast.clinician)
