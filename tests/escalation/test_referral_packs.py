"""Referral packs: built from a decision to share, only what it allows, protected identities
replaced, edits kept, finalised immutably with a hash that matches what is printed and downloaded."""

import hashlib
import re
import uuid

import psycopg
import pytest
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from alerts.models import Deadline, DeadlineState, ObligationKind
from audit.models import AuditEvent
from concerns.models import AdultAtRiskDetails, AllegedPerson, Concern, PersonAtRisk, PriorReport
from concerns.services import CONCERN_INPUT_FIELDS, add_addendum
from consent.models import SharedPart
from consent.services import record_client_informed, record_sharing_decision
from escalation import services as workflow
from escalation.models import ExternalReferral
from escalation.packs import builder
from escalation.packs.identities import Protection, Redactor
from escalation.packs.models import FinalReferralPack, ReferralPackRevision
from escalation.packs.selectors import latest_revision
from escalation.packs.services import PackError, ProtectedIdentityInText, save_pack_revision
from tests.audit.test_append_only import runtime_role_connection
from tests.factories.concerns import submit_test_concern
from tests.factories.packs import build_pack, decision_to_share, finalise_pack
from tests.factories.workflow import acknowledged

PROTECTED_NAME = "Philippa Quennell-Ashby"
PROTECTED_FIRST_NAME = "Philippa"
NEUTRAL = "the discloser"


def _text_fields(model, names=None) -> list[str]:
    """Free-text fields (no choices) a canary can be written into."""
    fields = []
    for field in model._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            fields.append(field.name)
    return fields


CONCERN_TEXT = _text_fields(Concern, CONCERN_INPUT_FIELDS)
PERSON_TEXT = _text_fields(PersonAtRisk)
ALLEGED_TEXT = _text_fields(AllegedPerson)
PRIOR_TEXT = _text_fields(PriorReport)
ADULT_TEXT = _text_fields(AdultAtRiskDetails)


def canary(place: str) -> str:
    return f"CANARY-{place}-{uuid.uuid4().hex[:10]}".upper()


# --- Every field has a part -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "parts", "never"),
    [
        (Concern, builder.CONCERN_FIELD_PARTS, builder.CONCERN_NEVER_SHARED),
        (AllegedPerson, builder.ALLEGED_FIELD_PARTS, builder.ALLEGED_NEVER_SHARED),
        (AdultAtRiskDetails, builder.ADULT_AT_RISK_FIELD_PARTS, builder.ADULT_AT_RISK_NEVER_SHARED),
    ],
    ids=["concern", "alleged_person", "adult_at_risk"],
)
def test_every_field_belongs_to_one_part_or_is_never_shared(model, parts, never):
    """A field added to a model without a part fails here, before it can leave or vanish unnoticed."""
    names = {field.name for field in model._meta.get_fields() if field.concrete or field.many_to_many}
    assert not (set(parts) & set(never))
    assert names - set(parts) - set(never) == set(), "fields with no part: give each a SharedPart in the builder"
    assert set(parts) - names == set(), "the builder names fields the model no longer has"


def test_the_builder_writes_every_part_and_every_template_content():
    assert set(builder.WRITERS) >= set(SharedPart.values)
    assert all(part in builder.WRITERS for part in SharedPart.values)


# --- Acceptance 1: the canary ---------------------------------------------------------------------


@pytest.fixture
def canaries(cast):
    """A concern with a different canary in every free-text field of it, its people, its earlier
    report, its addendum, its triage, its client and its reporter; the protected name hidden in
    several free texts (allowed ones too)."""
    from tests.factories.consent import ClientFactory

    found: dict[str, tuple[str, str]] = {}  # canary -> (part, where)

    def put(part, where):
        value = canary(where)
        found[value] = (part, where)
        return value

    client = ClientFactory(team=cast.team, created_by=cast.clinician)
    client.display_name = put(SharedPart.CLIENT, "client.display_name")
    client.reference = put(SharedPart.CLIENT, "client.reference")[:60]
    client.save()
    cast.clinician.full_name = put(SharedPart.REPORTER, "reporter.full_name")
    cast.clinician.save()

    fields = {name: put(builder.CONCERN_FIELD_PARTS[name], f"concern.{name}") for name in CONCERN_TEXT}
    # The protected name, inside free text of allowed and withheld parts alike.
    fields["own_words"] += f" {PROTECTED_NAME} told me. Then {PROTECTED_FIRST_NAME.lower()} cried."
    fields["observations"] += f" {PROTECTED_NAME.upper()} was shaking."
    fields["summary"] = f"{fields['summary']} {PROTECTED_FIRST_NAME}"
    person = {name: put(SharedPart.PERSONS_AT_RISK, f"person.{name}") for name in PERSON_TEXT}
    person["description"] += f" (placed near {PROTECTED_NAME})"
    alleged = {name: put(builder.ALLEGED_FIELD_PARTS[name], f"alleged.{name}") for name in ALLEGED_TEXT}
    alleged["relationship"] += f" Step-father of {PROTECTED_NAME}"
    prior = {name: put(SharedPart.PRIOR_REPORTS, f"prior.{name}") for name in PRIOR_TEXT}
    adult = {name: put(builder.ADULT_AT_RISK_FIELD_PARTS[name], f"adult.{name}") for name in ADULT_TEXT}
    concern = submit_test_concern(
        reporter=cast.clinician,
        client=client,
        alleged_position_of_trust="yes",
        alleged_role="foster_carer",
        persons_at_risk=[dict(kind="child", identity="partly_known", **person)],
        alleged_persons=[
            dict(
                identity="known",
                contact_with_children="yes",
                position_of_trust="yes",
                role="foster_carer",
                **alleged,
            )
        ],
        prior_reports=[dict(recipient="csc", made_by="client", **prior)],
        adult_at_risk=dict(capacity_doubt="yes", care_and_support_needs="unknown", **adult),
        **{k: v for k, v in fields.items() if k not in ("client",)},
    )
    add_addendum(actor=cast.clinician, concern=concern, text=put(SharedPart.ADDENDA, "addendum.text"))
    acknowledged(concern, by=cast.lead)
    workflow.record_triage(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        risk_rating="high",
        rating_rationale=put(SharedPart.TRIAGE, "triage.rating_rationale"),
        decision="refer",
        decision_rationale=put(SharedPart.TRIAGE, "triage.decision_rationale"),
    )
    record_client_informed(
        actor=cast.lead,
        concern=concern,
        status="not_told",
        reason="unsafe",
        review_on=timezone.localdate(),
        client_response=put("never", "client_informed.client_response"),
        advised_by=put("never", "client_informed.advised_by"),
    )
    return concern, found


ALLOWED_PARTS = [
    SharedPart.SUMMARY,
    SharedPart.ACCOUNT,
    SharedPart.PERSONS_AT_RISK,
    SharedPart.ALLEGED_ROLE,
    SharedPart.PRIOR_REPORTS,
    SharedPart.ADDENDA,
    SharedPart.TRIAGE,
]


def test_acceptance_1_the_pack_holds_exactly_the_allowed_canaries_and_never_the_protected_name(cast, canaries):
    concern, found = canaries
    decision_canaries = {
        name: canary(f"decision.{name}")
        for name in (
            "recipients",
            "information_shared",
            "transmission",
            "without_consent_justification",
            "necessity_proportionality",
            "identities_to_protect",
            "advice_from",
        )
    }
    purpose = canary("decision.purpose")
    decision = decision_to_share(
        concern,
        actor=cast.lead,
        parts=ALLOWED_PARTS,
        protected=[(PROTECTED_NAME, PROTECTED_FIRST_NAME, NEUTRAL)],
        purpose=purpose,
        advice_taken=True,
        **decision_canaries,
    )
    pack = build_pack(concern, actor=cast.lead, decision=decision, agency="lado")
    sections = latest_revision(pack).sections
    drafted = "\n".join(f"{s['heading']}\n{s['body']}" for s in sections)
    final = finalise_pack(pack, actor=cast.lead, area="Devon", method="email")

    for text, where in ((drafted, "the draft"), (final.document, "the finalised document")):
        present = {value for value in found if value in text}
        allowed = {value for value, (part, _) in found.items() if part in ALLOWED_PARTS}
        assert present == allowed, (
            f"{where}: missing {sorted(found[v][1] for v in allowed - present)}, "
            f"leaked {sorted(found[v][1] for v in present - allowed)}"
        )
        assert purpose in text  # why we refer: always written
        assert not any(value in text for value in decision_canaries.values()), f"{where}: decision internals leaked"
        assert PROTECTED_FIRST_NAME.casefold() not in text.casefold(), f"{where}: the protected name appears"
        assert NEUTRAL in text
    # The withheld parts are said to be withheld, not silently dropped.
    assert builder.NOT_SHARED_TEXT in drafted
    # Nor anywhere else the pack is stored or announced.
    assert PROTECTED_FIRST_NAME.casefold() not in (pack.title + pack.introduction).casefold()
    events = AuditEvent.objects.filter(subject_ref=concern.reference, action__startswith="referral_pack.")
    assert PROTECTED_FIRST_NAME.casefold() not in str([e.details for e in events]).casefold()


def test_sharing_in_full_fills_every_heading_and_places_the_account_under_the_allegation(cast):
    concern = submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="yes", alleged_role="foster_carer")
    acknowledged(concern, by=cast.lead)
    decision = decision_to_share(concern, actor=cast.lead)
    pack = build_pack(concern, actor=cast.lead, decision=decision, agency="lado")
    sections = {s["heading"]: s["body"] for s in latest_revision(pack).sections}
    assert pack.title == "Referral to the Local Authority Designated Officer (LADO)"
    assert "Now they've let him foster kids." in sections["The allegation or concern"]
    assert "Foster carer" in sections["The alleged person: role and employer or approving body"]
    assert "Children placed with the foster carer" in sections["The children involved"]
    assert "He is now a foster carer." in sections["Earlier reports and what is new"]
    assert "Not sought: Asking would put a child or an adult at risk" in sections["Consent and information sharing"]
    assert "Leah Lead" in sections["The referrer's details"]
    assert not any(builder.NOT_SHARED_TEXT in body for body in sections.values())


def test_wales_uses_the_designated_officer_template_and_other_nations_the_general_one(cast):
    for jurisdiction, title in (
        ("wales", "Report to the Designated Officer for Safeguarding"),
        ("scotland", "Referral to the Local Authority Designated Officer (LADO)"),
    ):
        concern = submit_test_concern(reporter=cast.clinician, jurisdiction=jurisdiction)
        acknowledged(concern, by=cast.lead)
        pack = build_pack(concern, actor=cast.lead, decision=decision_to_share(concern, actor=cast.lead))
        assert pack.title == title


# --- Protected identities -------------------------------------------------------------------------


def test_the_redactor_replaces_every_form_whole_words_only_longest_first():
    redactor = Redactor(
        [
            Protection(forms=("Ann Lee", "Ann", "Nanny Ann"), replacement="the discloser"),
            Protection(forms=("12 Elm Road",), replacement="the family home"),
        ]
    )
    text = "Ann Lee said ANN  LEE's brother lives at 12 Elm Road.\nAnnual leave; nanny   ann; Annabel; Zoë"
    assert redactor.apply(text) == (
        "the discloser said the discloser's brother lives at the family home.\n"
        "Annual leave; the discloser; Annabel; Zoë"
    )
    assert redactor.found_in("Met ann lee") == ["Ann Lee"]
    assert redactor.found_in("Annual") == []
    # The same letter written as one character or as a letter and a combining mark.
    zoe = Redactor([Protection(forms=("Zoë",), replacement="the child")])
    assert zoe.apply("Zoe\u0308 and Zo\u00eb") == "the child and the child"


def test_the_neutral_words_may_not_contain_the_name_they_replace(cast):
    from django.core.exceptions import ValidationError

    concern = submit_test_concern(reporter=cast.clinician)
    with pytest.raises(ValidationError, match="must not contain the name"):
        decision_to_share(concern, actor=cast.clinician, protected=[("Ann Lee", "Ann's sister")])


# --- Edits are kept -------------------------------------------------------------------------------


@pytest.fixture
def draft(cast):
    concern = submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="yes", alleged_role="foster_carer")
    acknowledged(concern, by=cast.lead)
    decision = decision_to_share(concern, actor=cast.lead, protected=[(PROTECTED_NAME, PROTECTED_FIRST_NAME, NEUTRAL)])
    return build_pack(concern, actor=cast.lead, decision=decision)


def test_an_edit_is_a_new_revision_and_the_draft_stays(cast, draft):
    first = latest_revision(draft)
    bodies = [s["body"] for s in first.sections]
    bodies[0] = "The lead's own words about the allegation."
    revision = save_pack_revision(actor=cast.deputy, pack_id=draft.pk, based_on=1, bodies=bodies, note="Tightened")
    assert revision.number == 2 and revision.sections[0]["body"] == "The lead's own words about the allegation."
    assert ReferralPackRevision.objects.get(pk=first.pk).sections == first.sections  # kept as drafted
    assert save_pack_revision(actor=cast.lead, pack_id=draft.pk, based_on=2, bodies=bodies) is None  # no change
    event = AuditEvent.objects.get(action="referral_pack.edited")
    assert event.details["revision"] == 2 and event.details["sections_changed"] == 1

    # Someone saving on top of version 1 now is told, and nothing is saved.
    with pytest.raises(workflow.WorkflowConflict, match="saved a newer version"):
        save_pack_revision(actor=cast.lead, pack_id=draft.pk, based_on=1, bodies=bodies)
    assert draft.revisions.count() == 2


def test_typing_a_protected_name_back_in_is_refused_section_by_section(cast, draft):
    bodies = [s["body"] for s in latest_revision(draft).sections]
    bodies[2] = f"Placed with {PROTECTED_FIRST_NAME.upper()}'s step-father."
    with pytest.raises(ProtectedIdentityInText) as refused:
        save_pack_revision(actor=cast.lead, pack_id=draft.pk, based_on=1, bodies=bodies)
    assert list(refused.value.problems) == [2]
    assert NEUTRAL in refused.value.problems[2]
    assert draft.revisions.count() == 1


def test_the_edit_page_keeps_what_was_typed_when_it_refuses(client, cast, draft):
    client.force_login(cast.lead)
    url = reverse("escalation:pack", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {"revision": "1", "note": "", **{f.html_name: f.value() for f in form.section_fields()}}
    data["section_0"] = f"My rewrite naming {PROTECTED_NAME}."
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and f"My rewrite naming {PROTECTED_NAME}." in html
    assert draft.revisions.count() == 1
    data["section_0"] = "My rewrite."
    response = client.post(url, {**data, "then": "finalise"})
    assert response["Location"] == reverse("escalation:pack_finalise", args=[draft.pk])
    assert latest_revision(draft).sections[0]["body"] == "My rewrite."
    viewed = AuditEvent.objects.filter(action="concern.viewed", subject_ref=draft.concern.reference)
    assert {e.details["page"] for e in viewed} == {"pack_draft"}


# --- Acceptance 2: finalised, immutable, hashed --------------------------------------------------


@pytest.fixture
def final(cast, draft):
    return finalise_pack(draft, actor=cast.lead, area="Devon", method="email", their_reference="LADO-77")


def test_finalising_links_the_decision_and_a_new_referral_and_records_the_hash(cast, draft, final):
    assert final.sharing_decision == draft.sharing_decision
    referral = final.referral
    assert referral.agency == "lado" and referral.area == "Devon" and referral.method == "email"
    assert referral.sharing_decision == draft.sharing_decision and referral.their_reference == "LADO-77"
    assert final.sha256 == hashlib.sha256(final.document.encode("utf-8")).hexdigest()
    event = AuditEvent.objects.get(action="referral_pack.finalised")
    assert event.details["sha256"] == final.sha256 and event.details["referral_id"] == referral.pk
    assert event.subject_ref == draft.concern.reference
    # The LADO task is done by the referral the pack was sent as.
    assert draft.concern.lado_tasks.get().referral == referral
    for text in ("Safeguarding portal", draft.reference, "OFFICIAL-SENSITIVE", "LADO-77", "Devon"):
        assert text in final.document
    with pytest.raises(PackError):
        save_pack_revision(actor=cast.lead, pack_id=draft.pk, based_on=1, bodies=[])


def test_acceptance_2_a_finalised_pack_cannot_be_changed_and_its_hash_is_checked_by_the_database(final):
    table = FinalReferralPack._meta.db_table
    for statement in (f"UPDATE {table} SET document = document || ' '", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(Exception, match="append-only|permission denied"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    with runtime_role_connection() as app:
        for statement in (f"UPDATE {table} SET sha256 = sha256", f"DELETE FROM {table}"):  # noqa: S608
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
    # A copy whose stored hash is not the hash of its document is refused outright.
    with pytest.raises(IntegrityError, match="final_pack_hash_matches"):
        with transaction.atomic():
            FinalReferralPack.objects.filter(pk=final.pk).values()  # (for readability only)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (pack_id, revision_id, sharing_decision_id, referral_id, document, sha256,"  # noqa: S608
                    " finalised_by_id, finalised_at) SELECT pack_id, revision_id, sharing_decision_id, referral_id,"
                    " document || 'tampered', sha256, finalised_by_id, finalised_at FROM " + table
                )
    final.refresh_from_db()
    assert hashlib.sha256(final.document.encode("utf-8")).hexdigest() == final.sha256


def test_acceptance_2_the_print_view_and_the_download_render_exactly_the_hashed_document(client, cast, final):
    client.force_login(cast.lead)
    pack = final.pack
    printed = client.get(reverse("escalation:pack_print", args=[pack.pk]))
    downloaded = client.get(reverse("escalation:pack_download", args=[pack.pk]))
    for response in (printed, downloaded):
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == final.sha256
        assert response["Cache-Control"] == "no-store, private"
        assert "script-src 'none'" in response["Content-Security-Policy"]
        assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+'", response["Content-Security-Policy"])
        assert response["Repr-Digest"].startswith("sha-256=:")
    assert "attachment" in downloaded["Content-Disposition"] and pack.reference in downloaded["Content-Disposition"]
    assert "Content-Disposition" not in printed
    # Each is an access event, written with the hash of what was shown.
    views = AuditEvent.objects.filter(action="concern.viewed", subject_ref=pack.concern.reference).order_by("id")
    assert [(e.details["page"], e.details["sha256"]) for e in views] == [
        ("pack_print", final.sha256),
        ("pack_download", final.sha256),
    ]


def test_a_draft_has_no_print_view_and_other_teams_leads_find_nothing(client, cast, draft):
    client.force_login(cast.lead)
    assert client.get(reverse("escalation:pack_print", args=[draft.pk])).status_code == 404
    client.force_login(cast.lead_other_team)
    for name in ("pack", "pack_finalise", "pack_print", "pack_download"):
        assert client.get(reverse(f"escalation:{name}", args=[draft.pk])).status_code == 404
    client.force_login(cast.clinician)
    assert client.get(reverse("escalation:pack", args=[draft.pk])).status_code == 403


def test_finalising_twice_or_from_a_stale_version_is_refused(cast, draft):
    bodies = [s["body"] for s in latest_revision(draft).sections]
    bodies[-1] += "\nPhone 01234 567890."
    save_pack_revision(actor=cast.deputy, pack_id=draft.pk, based_on=1, bodies=bodies)
    with pytest.raises(workflow.WorkflowConflict, match="edited by Dev Deputy"):
        from escalation.packs.services import finalise_referral_pack

        finalise_referral_pack(
            actor=cast.lead, pack_id=draft.pk, revision=1, expected_status="acknowledged", area="Devon", method="email"
        )
    finalise_pack(draft, actor=cast.lead)
    with pytest.raises(workflow.WorkflowConflict, match="finalised this pack"):
        finalise_pack(draft, actor=cast.deputy)


def test_a_pack_from_a_decision_changed_since_is_not_finalised(cast, draft):
    old = draft.sharing_decision
    record_sharing_decision(
        actor=cast.lead,
        concern=draft.concern,
        supersedes=old,
        decision="not_share",
        consent="sought_refused",
        refusal_reasons="The client asked us to wait.",
        purpose="Reconsidered",
        not_sharing_reasons="Police asked us to wait.",
        review_on=timezone.localdate(),
    )
    with pytest.raises(PackError, match="sharing decision was changed"):
        finalise_pack(draft, actor=cast.lead)


# --- Wales: the written confirmation of a phoned report -------------------------------------------


def test_in_wales_finalising_the_pack_for_a_phoned_referral_meets_the_written_confirmation_deadline(cast):
    concern = submit_test_concern(
        reporter=cast.clinician, jurisdiction="wales", alleged_position_of_trust="yes", alleged_role="foster_carer"
    )
    acknowledged(concern, by=cast.lead)
    phoned = workflow.record_referral(
        actor=cast.lead,
        concern_id=concern.pk,
        expected_status="acknowledged",
        agency="lado",
        area="Cardiff",
        method="phone",
        referred_at=timezone.now(),
        contact_name="Duty designated officer",
    )
    deadline = Deadline.objects.get(kind=ObligationKind.WRITTEN_CONFIRMATION, state=DeadlineState.OPEN)
    assert (deadline.due_at - phoned.referred_at).total_seconds() == 24 * 3600
    pack = build_pack(concern, actor=cast.lead, decision=decision_to_share(concern, actor=cast.lead), referral=phoned)
    final = finalise_pack(pack, actor=cast.lead)

    deadline.refresh_from_db()
    phoned.refresh_from_db()
    assert deadline.state == DeadlineState.MET
    assert phoned.confirmed_in_writing_at == final.finalised_at
    assert final.referral == phoned and ExternalReferral.objects.filter(concern=concern).count() == 1
    assert "Our referral by phone on" in final.document and "Duty designated officer" in final.document
    assert AuditEvent.objects.filter(action="referral.confirmed_in_writing", subject_ref=concern.reference).exists()
    assert AuditEvent.objects.get(action="referral_pack.finalised").details["written_confirmation"] is True


# --- Building through the pages, the case file and the chronology --------------------------------


def test_the_lead_builds_from_the_concern_page_and_the_pack_shows_in_the_case_file_and_chronology(client, cast):
    concern = submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="yes", alleged_role="foster_carer")
    acknowledged(concern, by=cast.lead)
    client.force_login(cast.lead)
    page = client.get(reverse("escalation:concern", args=[concern.pk])).content.decode()
    assert "Referral packs" in page and "record a decision to share that says what may be shared" in page

    decision = decision_to_share(concern, actor=cast.lead, parts=["summary", "alleged_role"])
    url = reverse("escalation:pack_new", args=[concern.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"sharing_decision": decision.pk, "agency": "lado", "referral": ""})
    pack = concern.referral_packs.get()
    assert response["Location"] == reverse("escalation:pack", args=[pack.pk])

    page = client.get(reverse("escalation:concern", args=[concern.pk])).content.decode()
    assert pack.reference in page and "Draft" in page
    chronology = page.split('class="list-unstyled chronology"')[1]
    assert "Referral pack drafted" in chronology


def test_sharing_in_part_through_the_form_needs_parts_and_keeps_the_protected_identities(client, cast):
    concern = submit_test_concern(reporter=cast.clinician)
    client.force_login(cast.lead)
    url = reverse("concerns:sharing_new", args=[concern.pk])
    from tests.consent.test_sharing import share_without_consent

    posted = {
        **share_without_consent(decision="share_in_part"),
        "protect-TOTAL_FORMS": "2",
        "protect-INITIAL_FORMS": "0",
        "protect-0-name": "Jane Doe",
        "protect-0-other_forms": "Jane\nJD",
        "protect-0-replacement": "the discloser",
        "protect-1-name": "",
        "protect-1-replacement": "",
    }
    response = client.post(url, posted)
    assert response.status_code == 200
    assert "choose which parts" in response.context["form"].errors["shared_parts"][0]
    assert "Jane Doe" in response.content.decode()  # nothing typed is lost

    response = client.post(url, {**posted, "shared_parts": ["summary", "alleged_role"]})
    assert response.status_code == 302
    decision = concern.sharing_decisions.get()
    assert decision.shared_parts == ["summary", "alleged_role"]
    identity = decision.protected_identities.get()
    assert identity.forms == ["Jane Doe", "Jane", "JD"] and identity.replacement == "the discloser"
    event = AuditEvent.objects.get(action="sharing.decision_recorded")
    assert event.details["protected_identities"] == 1 and "Jane" not in str(event.details)


# --- Templates are data ---------------------------------------------------------------------------


def test_an_administrator_edits_a_template_and_only_packs_drafted_afterwards_follow_it(client, cast, draft):
    from escalation.packs.models import PackTemplate

    template = PackTemplate.objects.get(agency="lado", jurisdiction="", active=True)
    cast.administrator.is_superuser = True  # as seed_demo makes the demo administrator
    cast.administrator.save()
    client.force_login(cast.administrator)
    change = reverse("admin:escalation_packtemplate_change", args=[template.pk])
    page = client.get(change)
    assert page.status_code == 200 and "The allegation or concern" in page.content.decode()
    heading = template.headings.order_by("position").first()
    heading.title = "What is alleged"
    heading.contents = ["summary"]
    heading.save()

    assert latest_revision(draft).sections[0]["heading"] == "The allegation or concern"  # drafted before
    concern = draft.concern
    later = build_pack(concern, actor=cast.lead, decision=draft.sharing_decision)
    first = latest_revision(later).sections[0]
    assert first["heading"] == "What is alleged" and first["contents"] == ["summary"]
    # The parts that heading no longer asks for are not lost: they go under the last heading.
    assert latest_revision(later).sections[-1]["heading"] == "Other information the decision allows"
    assert "Now they've let him foster kids." in latest_revision(later).sections[-1]["body"]
