"""Decisions to share and referral packs for tests, made through the real services.

decision = decision_to_share(concern, actor=cast.lead, parts=["summary", "account"],
                             protected=[("Jane Doe", "Jane", "the discloser")])
pack = build_pack(concern, actor=cast.lead, decision=decision, agency="lado")
final = finalise_pack(pack, actor=cast.lead, area="Devon", method="email")
"""

from django.utils import timezone

from consent.models import LawfulBasisOption
from consent.services import record_sharing_decision
from escalation.packs.selectors import latest_revision
from escalation.packs.services import build_referral_pack, finalise_referral_pack


def decision_to_share(concern, *, actor, parts=None, protected=(), **values):
    """Share (in part when ``parts`` is given) without consent, as a lead would to protect children."""
    basis = {o.kind: o for o in LawfulBasisOption.objects.filter(safeguarding_default=True)}
    fields = dict(
        decision="share_in_part" if parts is not None else "share",
        shared_parts=list(parts or []),
        recipients="The LADO of the area where the alleged person is approved",
        purpose="Children placed with the foster carer may be at risk now.",
        information_shared="See the referral pack.",
        consent="not_sought",
        not_sought_reason="risk_to_person",
        without_consent_justification="Asking could alert the carer; children may be at risk.",
        article6_basis=basis["article6"],
        article9_condition=basis["article9"],
        common_law_basis=basis["common_law"],
    )
    fields.update(values)
    identities = [
        {"name": name, "other_forms": "\n".join(others), "replacement": replacement}
        for name, *others, replacement in protected
    ]
    return record_sharing_decision(actor=actor, concern=concern, protected_identities=identities, **fields)


def build_pack(concern, *, actor, decision, agency="lado", referral=None):
    return build_referral_pack(
        actor=actor,
        concern_id=concern.pk,
        sharing_decision_id=decision.pk,
        agency=agency,
        referral_id=referral.pk if referral else None,
    )


def finalise_pack(pack, *, actor, area="Devon", method="email", **values):
    pack.concern.refresh_from_db()
    if pack.referral_id is not None:
        area = method = ""
    return finalise_referral_pack(
        actor=actor,
        pack_id=pack.pk,
        revision=latest_revision(pack).number,
        expected_status=pack.concern.status,
        area=area,
        method=method,
        referred_at=values.pop("referred_at", timezone.now()),
        **values,
    )
