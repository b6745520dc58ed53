"""Writes for referral packs: build a draft, save an edit, finalise.

Each runs in one transaction with its audit event. A pack's writes are serialised by an advisory
lock on the pack (its tables are append-only, so rows are never locked for update): two leads
saving on top of the same revision, or finalising twice, are told instead of overwriting.
Refusals are escalation.services.WorkflowError, shown to the lead beside the form.
"""

from __future__ import annotations

import html
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts.models import User
from alerts.models import ObligationKind
from alerts.services.deadlines import close_deadlines
from audit.actions import AuditAction
from audit.services import record_event
from concerns.models import Concern
from escalation.models import Agency, ExternalReferral, ReferralMethod
from escalation.packs.builder import PackSource, draft_sections
from escalation.packs.document import render_document, sha256_hex
from escalation.packs.identities import Redactor
from escalation.packs.models import FinalReferralPack, ReferralPack, ReferralPackRevision
from escalation.packs.selectors import (
    final_of,
    is_current_decision,
    latest_revision,
    pack_for_lead,
    referrals_without_pack,
    shareable_decisions,
    template_for,
)
from escalation.selectors import concern_for_lead
from escalation.services import (
    WORKING_STATUSES,
    ConcernNotAvailable,
    WorkflowConflict,
    WorkflowError,
    record_referral,
)

# A pack is a written document: a referral made from it is sent in one of these ways.
WRITTEN_METHODS = (ReferralMethod.EMAIL, ReferralMethod.PORTAL, ReferralMethod.LETTER)


class PackError(WorkflowError):
    """The pack was not built, saved or finalised; the message says why."""


class ProtectedIdentityInText(PackError):
    """A protected name or detail appears in the text: ``problems`` maps section index to message."""

    def __init__(self, problems: dict[int, str]):
        self.problems = problems
        super().__init__(_("A protected identity appears in the pack. Use the neutral words instead."))


def _lock(key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def _subject(pack: ReferralPack) -> dict:
    return {
        "subject_type": pack._meta.label_lower,
        "subject_id": pack.pk,
        "subject_ref": pack.concern.reference,
    }


def _working_concern(actor: User, concern_id: int) -> Concern:
    concern = concern_for_lead(actor, concern_id)
    if concern is None:
        raise ConcernNotAvailable()
    if concern.status not in WORKING_STATUSES:
        raise PackError(
            _("%(reference)s must be acknowledged, and not closed, before a referral pack is built or finalised.")
            % {"reference": concern.reference}
        )
    return concern


def _identity_problems(redactor: Redactor, sections: list[dict]) -> dict[int, str]:
    problems = {}
    for index, section in enumerate(sections):
        found = redactor.found_in(f"{section['heading']}\n{section['body']}")
        if found:
            problems[index] = _("“%(name)s” is protected by the sharing decision: write “%(words)s” instead.") % {
                "name": found[0],
                "words": redactor.replacement_for(found[0]),
            }
    return problems


# --- Build ------------------------------------------------------------------------------------


def build_referral_pack(
    *, actor: User, concern_id: int, sharing_decision_id: int, agency: str, referral_id: int | None = None
) -> ReferralPack:
    """Draft a pack for ``agency`` from one current decision to share (revision 1).

    Under the agency template's headings for the concern's nation, the portal writes only the
    parts the decision allows, with every protected identity replaced. ``referral_id`` names a
    referral already made (a phoned one, say) that the pack will confirm in writing.
    """
    agency = Agency(agency)
    with transaction.atomic():
        concern = _working_concern(actor, concern_id)
        decision = shareable_decisions(concern).filter(pk=sharing_decision_id).first()
        if decision is None:
            raise PackError(_("Choose a current decision to share that says what may be shared."))
        template = template_for(agency, concern.jurisdiction)
        if template is None:
            raise PackError(_("There is no referral pack template for that agency. Ask an administrator."))
        referral = None
        if referral_id is not None:
            referral = referrals_without_pack(concern).filter(pk=referral_id).first()
            if referral is None:
                raise PackError(_("That referral already has a finalised pack, or is not on this concern."))
            if referral.agency != agency:
                raise PackError(
                    _("That referral was made to %(agency)s: choose the same agency, or no referral.")
                    % {"agency": referral.agency_label}
                )
        _lock(f"referral-pack-number:{concern.pk}")
        number = (ReferralPack.objects.filter(concern=concern).aggregate(last=Max("number"))["last"] or 0) + 1
        redactor = Redactor.for_decision(decision)
        now = timezone.now()
        pack = ReferralPack.objects.create(
            concern=concern,
            number=number,
            sharing_decision=decision,
            template=template,
            agency=agency,
            title=redactor.apply(template.title),
            introduction=redactor.apply(template.introduction),
            referral=referral,
            created_by=actor,
            created_at=now,
        )
        sections = draft_sections(template, PackSource.load(concern=concern, decision=decision, referrer=actor))
        ReferralPackRevision.objects.create(
            pack=pack,
            number=1,
            sections=sections,
            note=_("Drafted by the portal from the concern and the sharing decision."),
            written_by=actor,
            written_at=now,
        )
        record_event(
            action=AuditAction.REFERRAL_PACK_DRAFTED,
            actor=actor,
            **_subject(pack),
            details={
                "pack_id": pack.pk,
                "pack_number": pack.number,
                "agency": agency,
                "sharing_decision_id": decision.pk,
                "template_id": template.pk,
                "referral_id": referral.pk if referral else None,
            },
        )
        return pack


# --- Edit -------------------------------------------------------------------------------------


def _normalised(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def save_pack_revision(
    *, actor: User, pack_id: int, based_on: int, bodies: list[str], note: str = ""
) -> ReferralPackRevision | None:
    """Keep the lead's edit as a new revision (None when nothing changed).

    ``based_on`` is the revision the lead edited; if someone saved a newer one meanwhile, nothing
    is saved and the lead is told. Text naming a protected identity is refused, section by section.
    """
    with transaction.atomic():
        pack = pack_for_lead(actor, pack_id)
        if pack is None:
            raise ConcernNotAvailable()
        _lock(f"referral-pack:{pack.pk}")
        if final_of(pack) is not None:
            raise PackError(_("This pack is finalised: it cannot be changed."))
        latest = latest_revision(pack)
        if latest.number != based_on:
            raise WorkflowConflict(
                _(
                    "%(name)s saved a newer version at %(time)s while you were editing. Nothing was saved: "
                    "copy your changes, reload the pack and apply them again."
                )
                % {
                    "name": latest.written_by.get_full_name(),
                    "time": timezone.localtime(latest.written_at).strftime("%H:%M"),
                }
            )
        if len(bodies) != len(latest.sections):
            raise PackError(_("The pack's headings changed while you were editing. Reload the pack."))
        sections = [
            {**section, "body": _normalised(body)} for section, body in zip(latest.sections, bodies, strict=True)
        ]
        problems = _identity_problems(Redactor.for_decision(pack.sharing_decision), sections)
        if problems:
            raise ProtectedIdentityInText(problems)
        if sections == latest.sections:
            return None
        revision = ReferralPackRevision.objects.create(
            pack=pack,
            number=latest.number + 1,
            sections=sections,
            note=note.strip()[:300],
            written_by=actor,
            written_at=timezone.now(),
        )
        record_event(
            action=AuditAction.REFERRAL_PACK_EDITED,
            actor=actor,
            **_subject(pack),
            details={
                "pack_id": pack.pk,
                "pack_number": pack.number,
                "revision": revision.number,
                "sections_changed": sum(1 for old, new in zip(latest.sections, sections, strict=True) if old != new),
            },
        )
        return revision


# --- Finalise -----------------------------------------------------------------------------------


def finalise_referral_pack(
    *,
    actor: User,
    pack_id: int,
    revision: int,
    expected_status: str,
    area: str = "",
    method: str = "",
    referred_at: datetime | None = None,
    contact_name: str = "",
    their_reference: str = "",
) -> FinalReferralPack:
    """Store the exact document, with its SHA-256 in the audit event, linked to the decision and the referral.

    ``revision`` is the one the lead read before finalising (a newer one refuses). A pack built
    for a referral already made is linked to it, and if that referral was phoned and awaits its
    written confirmation, the confirmation is met now (its deadline closes). Otherwise the
    referral is recorded now (``area``, ``method``, ``referred_at``...; a written method), with its
    response clock, as escalation.services.record_referral does.
    """
    with transaction.atomic():
        pack = pack_for_lead(actor, pack_id)
        if pack is None:
            raise ConcernNotAvailable()
        _lock(f"referral-pack:{pack.pk}")
        done = final_of(pack)
        if done is not None:
            raise WorkflowConflict(
                _("%(name)s finalised this pack at %(time)s.")
                % {
                    "name": done.finalised_by.get_full_name(),
                    "time": timezone.localtime(done.finalised_at).strftime("%H:%M on %d %b %Y"),
                }
            )
        latest = latest_revision(pack)
        if latest.number != revision:
            raise WorkflowConflict(
                _("The pack was edited by %(name)s after you opened it. Read the latest version, then finalise.")
                % {"name": latest.written_by.get_full_name()}
            )
        concern = _working_concern(actor, pack.concern_id)
        pack.concern = concern
        if not is_current_decision(pack.sharing_decision):
            raise PackError(
                _(
                    "The sharing decision was changed after this pack was drafted. "
                    "Build a new pack from the current decision."
                )
            )
        redactor = Redactor.for_decision(pack.sharing_decision)
        problems = _identity_problems(redactor, latest.sections)
        if problems:
            raise ProtectedIdentityInText(problems)

        confirms_phone_call = False
        if pack.referral_id is not None:
            referral = ExternalReferral.objects.get(pk=pack.referral_id)
            if FinalReferralPack.objects.filter(referral=referral).exists():
                raise PackError(_("That referral already has a finalised pack."))
            confirms_phone_call = referral.awaiting_written_confirmation
            if confirms_phone_call:
                # The clock's rows first (contracts: lock deadlines before changing anything else).
                close_deadlines(
                    kind=ObligationKind.WRITTEN_CONFIRMATION,
                    concern=concern,
                    subject=referral,
                    outcome="met",
                    actor=actor,
                )
        else:
            if method not in WRITTEN_METHODS:
                raise PackError(_("Say how the pack is sent: by email, an online portal or secure form, or letter."))
            if not area.strip():
                raise PackError(_("Give the local authority or area the pack is sent to."))
            referral = record_referral(
                actor=actor,
                concern_id=concern.pk,
                expected_status=expected_status,
                agency=pack.agency,
                area=area,
                method=method,
                referred_at=referred_at or timezone.now(),
                contact_name=contact_name,
                their_reference=their_reference,
                shared_summary=_("Referral pack %(reference)s") % {"reference": pack.reference},
                sharing_decision=pack.sharing_decision,
            )

        now = timezone.now()
        document = render_document(
            title=pack.title,
            introduction=pack.introduction,
            reference=pack.reference,
            agency=referral.agency_label,
            area=referral.area,
            their_reference=referral.their_reference,
            phoned_at=referral.referred_at if referral.method == ReferralMethod.PHONE else None,
            phoned_to=referral.contact_name if referral.method == ReferralMethod.PHONE else "",
            sections=latest.sections,
            finalised_at=now,
            finalised_by=actor.get_full_name(),
        )
        # The last word: nothing protected anywhere in what is stored, headers included.
        leaked = redactor.found_in(html.unescape(strip_tags(document)))
        if leaked:
            raise PackError(
                _("“%(name)s” is protected by the sharing decision but appears in the referral's details.")
                % {"name": leaked[0]}
            )
        digest = sha256_hex(document)
        final = FinalReferralPack.objects.create(
            pack=pack,
            revision=latest,
            sharing_decision=pack.sharing_decision,
            referral=referral,
            document=document,
            sha256=digest,
            finalised_by=actor,
            finalised_at=now,
        )
        if referral.sharing_decision_id is None:
            ExternalReferral.objects.filter(pk=referral.pk).update(sharing_decision=pack.sharing_decision)
        if confirms_phone_call:
            ExternalReferral.objects.filter(pk=referral.pk).update(confirmed_in_writing_at=now)
            record_event(
                action=AuditAction.REFERRAL_CONFIRMED_IN_WRITING,
                actor=actor,
                subject=concern,
                details={"referral_id": referral.pk, "agency_label": referral.get_agency_display(), "pack_id": pack.pk},
            )
        record_event(
            action=AuditAction.REFERRAL_PACK_FINALISED,
            actor=actor,
            **_subject(pack),
            details={
                "pack_id": pack.pk,
                "pack_number": pack.number,
                "agency": pack.agency,
                "revision": latest.number,
                "sha256": digest,
                "referral_id": referral.pk,
                "sharing_decision_id": pack.sharing_decision_id,
                "written_confirmation": confirms_phone_call,
            },
        )
        return final
