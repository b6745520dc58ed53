"""Writes of clients, statements and consent records.

Every function is keyword-only, takes the acting user, runs in one transaction and writes
its audit event there. Review dates are announced with ``consent.signals.review_date_set``
inside the same transaction, so the clock the escalation app opens commits or rolls back
with the record.
"""

import datetime
import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.roles import Role
from audit.actions import AuditAction
from audit.services import record_event
from consent.models import (
    SHARING_DECISIONS,
    Client,
    ClientInformedRecord,
    ConfidentialityStatement,
    ConsentStatus,
    Decision,
    InformedStatus,
    LimitsRecord,
    NotSoughtReason,
    NotToldReason,
    ProtectedIdentity,
    SharedPart,
    SharingDecision,
)
from consent.selectors import client_team_ids
from consent.signals import CLIENT_INFORMED_REVIEW, LIMITS_REVISIT, SHARING_REVIEW, review_date_set

# --- Clients ------------------------------------------------------------------------------------


def create_client(*, actor, team, reference: str, display_name: str = "") -> Client:
    team_ids = client_team_ids(actor)
    if team_ids is not None and team.pk not in team_ids:
        raise PermissionDenied("You can add clients only to your own teams.")
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": "Enter the team's reference for this client."})
    try:
        with transaction.atomic():
            client = Client.objects.create(
                team=team, reference=reference, display_name=display_name.strip(), created_by=actor
            )
            record_event(
                action=AuditAction.CLIENT_CREATED,
                actor=actor,
                # Not ``subject=client``: subject_ref is reserved for concern references.
                subject_type=client._meta.label_lower,
                subject_id=client.pk,
                details={"team_id": team.pk},
            )
    except IntegrityError:
        raise ValidationError(
            {"reference": f"{team.name} already has a client with the reference {reference}."}
        ) from None
    return client


# --- Confidentiality statements -----------------------------------------------------------------


def _require_administrator(actor):
    if not actor.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied("Only administrators manage confidentiality statements.")


@transaction.atomic
def create_statement_draft(*, actor, title: str, text: str) -> ConfidentialityStatement:
    _require_administrator(actor)
    # Version numbers are handed out under a table lock so two administrators cannot take the same one.
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE consent_confidentialitystatement IN SHARE ROW EXCLUSIVE MODE")
    last = ConfidentialityStatement.objects.aggregate(last=Max("version"))["last"] or 0
    statement = ConfidentialityStatement.objects.create(
        version=last + 1, title=title.strip(), text=text.strip(), created_by=actor
    )
    record_event(
        action=AuditAction.STATEMENT_DRAFTED,
        actor=actor,
        subject_type=statement._meta.label_lower,
        subject_id=statement.pk,
        details={"version": statement.version},
    )
    return statement


@transaction.atomic
def update_statement_draft(*, actor, statement: ConfidentialityStatement, title: str, text: str):
    _require_administrator(actor)
    statement = ConfidentialityStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.is_published:
        raise ValidationError(
            f"Version {statement.version} is published and cannot be changed; write a new version instead."
        )
    statement.title = title.strip()
    statement.text = text.strip()
    statement.save(update_fields=["title", "text"])
    record_event(
        action=AuditAction.STATEMENT_DRAFT_UPDATED,
        actor=actor,
        subject_type=statement._meta.label_lower,
        subject_id=statement.pk,
        details={"version": statement.version},
    )
    return statement


@transaction.atomic
def publish_statement(
    *, actor, statement: ConfidentialityStatement, effective_from: datetime.date | None = None
) -> ConfidentialityStatement:
    """Publish a draft. From its effective date every client explained an older version needs a revisit."""
    _require_administrator(actor)
    statement = ConfidentialityStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.is_published:
        raise ValidationError(f"Version {statement.version} is already published.")
    today = timezone.localdate()
    effective_from = effective_from or today
    if effective_from < today:
        raise ValidationError({"effective_from": "A statement cannot take effect in the past."})
    newer = ConfidentialityStatement.objects.filter(published_at__isnull=False, version__gt=statement.version).exists()
    if newer:
        raise ValidationError(f"A later version than {statement.version} is already published.")
    latest_effective = ConfidentialityStatement.objects.filter(published_at__isnull=False).aggregate(
        latest=Max("effective_from")
    )["latest"]
    if latest_effective and effective_from < latest_effective:
        raise ValidationError(
            {
                "effective_from": f"The previous version takes effect on {latest_effective:%d %b %Y}; "
                "choose that date or a later one."
            }
        )
    statement.effective_from = effective_from
    statement.published_at = timezone.now()
    statement.published_by = actor
    statement.save(update_fields=["effective_from", "published_at", "published_by"])
    record_event(
        action=AuditAction.STATEMENT_PUBLISHED,
        actor=actor,
        subject_type=statement._meta.label_lower,
        subject_id=statement.pk,
        details={"version": statement.version, "effective_from": effective_from.isoformat()},
    )
    return statement


# --- Limits-of-confidentiality records ----------------------------------------------------------


@transaction.atomic
def record_limits_explanation(
    *,
    actor,
    client: Client,
    statement: ConfidentialityStatement,
    explained_at: datetime.datetime,
    method: str,
    understanding: str,
    interpreter_used: bool = False,
    interpreter_language: str = "",
    present: str = "",
    understanding_notes: str = "",
    review_on: datetime.date | None = None,
    explained_by=None,
    corrects: LimitsRecord | None = None,
    correction_reason: str = "",
) -> LimitsRecord:
    """Record one explanation of the limits (a revisit is simply another one)."""
    errors = {}
    if not statement.is_published:
        errors["statement"] = "Only a published statement version can have been explained to a client."
    if explained_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["explained_at"] = "The explanation cannot be in the future."
    if interpreter_used and not interpreter_language.strip():
        errors["interpreter_language"] = "Say which language the interpreter used."
    if corrects is not None:
        if corrects.client_id != client.pk:
            errors["corrects"] = "A correction must be about the same client."
        if not correction_reason.strip():
            errors["correction_reason"] = "Say what the correction puts right."
    if errors:
        raise ValidationError(errors)
    record = LimitsRecord.objects.create(
        client=client,
        statement=statement,
        explained_at=explained_at,
        explained_by=explained_by or actor,
        method=method,
        interpreter_used=interpreter_used,
        interpreter_language=interpreter_language.strip() if interpreter_used else "",
        present=present.strip(),
        understanding=understanding,
        understanding_notes=understanding_notes.strip(),
        review_on=review_on,
        corrects=corrects,
        correction_reason=correction_reason.strip(),
        recorded_by=actor,
    )
    record_event(
        action=AuditAction.LIMITS_EXPLAINED,
        actor=actor,
        subject_type=record._meta.label_lower,
        subject_id=record.pk,
        details={
            "client_id": client.pk,
            "statement_version": statement.version,
            "understanding": understanding,
            "corrects": corrects.pk if corrects else None,
        },
    )
    if review_on is not None:
        review_date_set.send(
            sender=LimitsRecord,
            obligation=LIMITS_REVISIT,
            subject=record,
            due_on=review_on,
            concern=None,
            actor=actor,
        )
    return record


# --- Information-sharing decisions --------------------------------------------------------------


def sharing_decision_errors(values: dict) -> dict[str, str]:
    """The rules for a sharing decision, as field -> message (shared by the form and the service)."""
    errors = {}
    decision = values.get("decision")
    consent = values.get("consent")
    sharing = decision in SHARING_DECISIONS
    if sharing:
        if not (values.get("recipients") or "").strip():
            errors["recipients"] = "Say who receives the information and their role in safeguarding."
        if not (values.get("information_shared") or "").strip():
            errors["information_shared"] = "Record exactly what is shared (paste or type the text)."
    if decision == Decision.NOT_SHARE:
        if not (values.get("not_sharing_reasons") or "").strip():
            errors["not_sharing_reasons"] = "A decision not to share needs its reasons."
        if not values.get("review_on"):
            errors["review_on"] = "A decision not to share needs a date to review it."
    if consent == ConsentStatus.REFUSED and not (values.get("refusal_reasons") or "").strip():
        errors["refusal_reasons"] = "Record the client's reasons for refusing."
    if consent == ConsentStatus.NOT_SOUGHT:
        reason = values.get("not_sought_reason")
        if not reason:
            errors["not_sought_reason"] = "Say why consent was not sought."
        elif reason == NotSoughtReason.OTHER and not (values.get("not_sought_other") or "").strip():
            errors["not_sought_other"] = "Describe the other reason consent was not sought."
    if sharing and consent and consent != ConsentStatus.GIVEN:
        if not (values.get("without_consent_justification") or "").strip():
            errors["without_consent_justification"] = (
                "Sharing without consent needs a reason: say why the risk justifies sharing."
            )
        if not values.get("article6_basis"):
            errors["article6_basis"] = "Sharing without consent needs a lawful basis: choose the Article 6 basis."
        if not values.get("common_law_basis"):
            errors["common_law_basis"] = (
                "Sharing without consent needs a lawful basis: choose the common-law justification."
            )
    if values.get("advice_taken") and not (values.get("advice_from") or "").strip():
        errors["advice_from"] = "Say whose advice was taken."
    parts = values.get("shared_parts") or []
    if any(part not in SharedPart.values for part in parts):
        errors["shared_parts"] = "Choose what may be shared from the list."
    elif decision == Decision.SHARE_IN_PART and not parts:
        errors["shared_parts"] = "Sharing in part: choose which parts of the concern may be shared."
    return errors


def protected_identity_errors(identity: Mapping[str, str]) -> dict[str, str]:
    """The rules for one identity to protect, as field -> message (the form's rows and the service)."""
    errors = {}
    name = " ".join((identity.get("name") or "").split())
    replacement = " ".join((identity.get("replacement") or "").split())
    if not name:
        errors["name"] = "Write the name or detail to protect, as the record writes it."
    if not replacement:
        errors["replacement"] = 'Write the neutral words to use instead, e.g. "the discloser".'
    forms = [name, *(identity.get("other_forms") or "").splitlines()]
    # Any word of the name (of three letters or more) in the neutral words would give it away.
    words = {word.casefold() for form in forms for word in re.findall(r"\w{3,}", form)}
    if replacement and words & {word.casefold() for word in re.findall(r"\w{3,}", replacement)}:
        errors["replacement"] = "The words used instead must not contain the name they replace, or part of it."
    return errors


def shared_parts_for(decision: str, chosen: Iterable[str]) -> list[str]:
    """What a decision lets go: every part for "share", the chosen ones (in list order) for "in part"."""
    if decision == Decision.SHARE:
        return list(SharedPart.values)
    if decision == Decision.SHARE_IN_PART:
        chosen = set(chosen)
        return [part for part in SharedPart.values if part in chosen]
    return []


SHARING_FIELDS = [
    "decision",
    "recipients",
    "purpose",
    "information_shared",
    "transmission",
    "consent",
    "refusal_reasons",
    "not_sought_reason",
    "not_sought_other",
    "without_consent_justification",
    "article6_basis",
    "article9_condition",
    "common_law_basis",
    "necessity_proportionality",
    "identities_to_protect",
    "shared_parts",
    "advice_taken",
    "advice_from",
    "not_sharing_reasons",
    "review_on",
]


@transaction.atomic
def record_sharing_decision(
    *,
    actor,
    concern,
    supersedes: SharingDecision | None = None,
    protected_identities: Iterable[Mapping[str, str]] = (),
    **values,
) -> SharingDecision:
    """Record a decision to share or not (a change of mind supersedes an earlier decision).

    ``shared_parts`` (SharedPart codes) says what may be shared: a decision to share lets every
    part go, one to share in part the chosen ones. ``protected_identities`` are dicts of
    ``name``, ``other_forms`` (one per line) and ``replacement``: names or details to replace
    with neutral words in anything built from the decision.

    The caller has checked that ``actor`` may see ``concern`` (its author or a covering lead).
    """
    unknown = set(values) - set(SHARING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown sharing decision fields: {sorted(unknown)}")
    errors = sharing_decision_errors(values)
    if supersedes is not None and supersedes.concern_id != concern.pk:
        errors["supersedes"] = "A decision can only supersede one about the same concern."
    identities = [identity for identity in protected_identities if any((v or "").strip() for v in identity.values())]
    for identity in identities:
        for message in protected_identity_errors(identity).values():
            errors.setdefault("protected_identities", message)
    if errors:
        raise ValidationError(errors)
    decision = values["decision"]
    values["shared_parts"] = shared_parts_for(decision, values.get("shared_parts") or [])
    if decision in SHARING_DECISIONS:
        values["not_sharing_reasons"] = values.get("not_sharing_reasons") or ""
    if values.get("consent") != ConsentStatus.REFUSED:
        values["refusal_reasons"] = ""
    if values.get("consent") != ConsentStatus.NOT_SOUGHT:
        values["not_sought_reason"] = ""
        values["not_sought_other"] = ""
    if not values.get("advice_taken"):
        values["advice_from"] = ""
    record = SharingDecision.objects.create(
        concern=concern,
        decided_by=actor,
        supersedes=supersedes,
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()},
    )
    ProtectedIdentity.objects.bulk_create(
        ProtectedIdentity(
            decision=record,
            position=position,
            name=" ".join(identity["name"].split()),
            other_forms="\n".join(
                line.strip() for line in (identity.get("other_forms") or "").splitlines() if line.strip()
            ),
            replacement=" ".join(identity["replacement"].split()),
        )
        for position, identity in enumerate(identities)
    )
    record_event(
        action=AuditAction.SHARING_DECISION_RECORDED,
        actor=actor,
        subject_type=record._meta.label_lower,
        subject_id=record.pk,
        subject_ref=concern.reference,
        details={
            "decision": record.decision,
            "consent": record.consent,
            "without_consent": record.is_without_consent,
            "article6_basis": record.article6_basis.code if record.article6_basis else None,
            "article9_condition": record.article9_condition.code if record.article9_condition else None,
            "common_law_basis": record.common_law_basis.code if record.common_law_basis else None,
            "supersedes": supersedes.pk if supersedes else None,
            "shared_parts": record.shared_parts,
            # How many, never the names: the trail is read more widely than the decision.
            "protected_identities": len(identities) or None,
        },
    )
    if record.decision == Decision.NOT_SHARE and record.review_on:
        review_date_set.send(
            sender=SharingDecision,
            obligation=SHARING_REVIEW,
            subject=record,
            due_on=record.review_on,
            concern=concern,
            actor=actor,
        )
    return record


# --- Was the client told? ----------------------------------------------------------------------


def client_informed_errors(values: dict) -> dict[str, str]:
    errors = {}
    status = values.get("status")
    if status == InformedStatus.NOT_TOLD:
        reason = values.get("reason")
        if not reason:
            errors["reason"] = "Say why the client has not been told."
        elif reason == NotToldReason.OTHER and not (values.get("reason_other") or "").strip():
            errors["reason_other"] = "Describe the other reason."
        if not values.get("review_on"):
            errors["review_on"] = "Set a date to review whether the client can be told."
    told_on = values.get("told_on")
    if told_on and told_on > timezone.localdate():
        errors["told_on"] = "The date the client was told cannot be in the future."
    return errors


@transaction.atomic
def record_client_informed(
    *,
    actor,
    concern,
    status: str,
    told_on: datetime.date | None = None,
    reason: str = "",
    reason_other: str = "",
    review_on: datetime.date | None = None,
    client_response: str = "",
    advised_by: str = "",
) -> ClientInformedRecord:
    values = dict(status=status, told_on=told_on, reason=reason, reason_other=reason_other, review_on=review_on)
    errors = client_informed_errors(values)
    if errors:
        raise ValidationError(errors)
    not_told = status == InformedStatus.NOT_TOLD
    record = ClientInformedRecord.objects.create(
        concern=concern,
        status=status,
        told_on=None if not_told else told_on,
        reason=reason if not_told else "",
        reason_other=reason_other.strip() if not_told and reason == NotToldReason.OTHER else "",
        review_on=review_on,
        client_response=client_response.strip(),
        advised_by=advised_by.strip(),
        recorded_by=actor,
    )
    record_event(
        action=AuditAction.CLIENT_INFORMED_RECORDED,
        actor=actor,
        subject_type=record._meta.label_lower,
        subject_id=record.pk,
        subject_ref=concern.reference,
        details={"status": status, "not_told_reason": record.reason, "review_on": review_on},
    )
    if review_on is not None:
        review_date_set.send(
            sender=ClientInformedRecord,
            obligation=CLIENT_INFORMED_REVIEW,
            subject=record,
            due_on=review_on,
            concern=concern,
            actor=actor,
        )
    return record
