"""Reads for referral packs: the decisions a pack may be built from, the templates, a concern's
packs, and one pack for a lead (404 for a pack of a concern the lead may not see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from alerts.models import Deadline, DeadlineState, ObligationKind
from concerns.models import Concern
from consent.models import SHARING_DECISIONS, SharingDecision
from escalation.models import ExternalReferral
from escalation.packs.models import FinalReferralPack, PackTemplate, ReferralPack, ReferralPackRevision
from escalation.selectors import concern_for_lead


def shareable_decisions(concern: Concern) -> QuerySet[SharingDecision]:
    """Decisions a pack may be built from: to share (fully or in part), not superseded by a later
    decision, and saying what may be shared. Newest first."""
    superseded = SharingDecision.objects.filter(supersedes=OuterRef("pk"))
    return (
        SharingDecision.objects.filter(concern=concern, decision__in=SHARING_DECISIONS)
        .exclude(shared_parts=[])
        .exclude(Exists(superseded))
        .prefetch_related("protected_identities")
        .order_by("-decided_at", "-id")
    )


def is_current_decision(decision: SharingDecision) -> bool:
    return not SharingDecision.objects.filter(supersedes=decision).exists()


def templates_for(jurisdiction: str) -> list[PackTemplate]:
    """One active template per agency: the nation's own, else the one for every nation."""
    chosen: dict[str, PackTemplate] = {}
    for template in PackTemplate.objects.filter(active=True, jurisdiction__in=[jurisdiction, ""]).order_by(
        "agency", "-jurisdiction"
    ):
        chosen.setdefault(template.agency, template)
    return sorted(chosen.values(), key=lambda template: template.title)


def template_for(agency: str, jurisdiction: str) -> PackTemplate | None:
    return next((t for t in templates_for(jurisdiction) if t.agency == agency), None)


def referrals_without_pack(concern: Concern) -> QuerySet[ExternalReferral]:
    """The concern's referrals that no finalised pack documents yet (a pack may confirm one)."""
    return (
        ExternalReferral.objects.filter(concern=concern)
        .exclude(Exists(FinalReferralPack.objects.filter(referral=OuterRef("pk"))))
        .order_by("-referred_at", "-id")
    )


def latest_revision(pack: ReferralPack) -> ReferralPackRevision:
    return pack.revisions.select_related("written_by").order_by("-number").first()  # type: ignore[return-value]


@dataclass(frozen=True)
class PackRow:
    pack: ReferralPack
    latest: ReferralPackRevision
    final: FinalReferralPack | None

    @property
    def is_final(self) -> bool:
        return self.final is not None


def packs_for_concern(concern: Concern) -> list[PackRow]:
    """The concern's packs, newest first, each with its latest revision and final copy: three queries."""
    revisions = ReferralPackRevision.objects.select_related("written_by").order_by("pack_id", "-number")
    finals = FinalReferralPack.objects.select_related("finalised_by", "referral").defer("document")
    packs = (
        ReferralPack.objects.filter(concern=concern)
        .select_related("concern", "referral")
        .prefetch_related(Prefetch("revisions", queryset=revisions, to_attr="revisions_newest_first"))
        .order_by("-number")
    )
    finals_by_pack = {final.pack_id: final for final in finals.filter(pack__concern=concern)}
    return [
        PackRow(pack=pack, latest=pack.revisions_newest_first[0], final=finals_by_pack.get(pack.pk))
        for pack in packs
        if pack.revisions_newest_first
    ]


def pack_for_lead(user: User, pack_id: int) -> ReferralPack | None:
    """A pack of a concern this lead may work on, or None (exactly as for a pack that does not exist)."""
    pack = ReferralPack.objects.filter(pk=pack_id).only("id", "concern_id").first()
    if pack is None:
        return None
    concern = concern_for_lead(user, pack.concern_id)
    if concern is None:
        return None
    pack = ReferralPack.objects.select_related("sharing_decision", "template", "referral", "created_by").get(pk=pack_id)
    pack.concern = concern
    return pack


def get_pack_for_lead(user: User, pack_id: int) -> ReferralPack:
    pack = pack_for_lead(user, pack_id)
    if pack is None:
        raise Http404("No such referral pack.")
    return pack


def final_of(pack: ReferralPack) -> FinalReferralPack | None:
    return FinalReferralPack.objects.select_related("finalised_by", "referral").filter(pack=pack).first()


def revision_history(pack: ReferralPack) -> list[ReferralPackRevision]:
    return list(pack.revisions.select_related("written_by").order_by("number"))


def written_confirmation_due(referral: ExternalReferral) -> datetime | None:
    """When the open written-confirmation deadline of a phoned referral falls due, if there is one."""
    return (
        Deadline.objects.filter(
            kind=ObligationKind.WRITTEN_CONFIRMATION,
            state=DeadlineState.OPEN,
            subject_type=referral._meta.label_lower,
            subject_id=str(referral.pk),
        )
        .values_list("due_at", flat=True)
        .first()
    )
