"""The lead's referral pack pages: build, edit, finalise, and the stored document's print view and download.

Views translate only: check access (selectors: 404 for a pack of a concern the lead may not see),
bind the form, call the service, tell the lead, redirect. Every page that shows the pack's text
writes ``concern.viewed`` first (if that write fails, nothing is shown); the print view and the
download serve the stored document byte for byte.
"""

import base64
import hashlib

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.roles import LEAD_ROLES
from audit.actions import AuditAction
from audit.services import record_event
from escalation.packs import selectors, services
from escalation.packs.document import style_source_hash
from escalation.packs.forms import BuildPackForm, EditPackForm, FinalisePackForm
from escalation.packs.identities import Redactor
from escalation.selectors import get_concern_for_lead
from escalation.services import WorkflowError

lead_required = role_required(*LEAD_ROLES)


def _record_view(request, pack, page: str, **details) -> None:
    """The access event, written before the pack's text is shown (docs/contracts.md)."""
    with transaction.atomic():
        record_event(
            action=AuditAction.CONCERN_VIEWED,
            actor=request.user,
            subject=pack.concern,
            details={"page": page, "pack_id": pack.pk, **details},
        )


@lead_required
def pack_new(request, concern_id: int):
    """Choose the decision, the agency and (optionally) the referral; the portal drafts the pack."""
    concern = get_concern_for_lead(request.user, concern_id)
    decisions = selectors.shareable_decisions(concern).select_related("decided_by")
    templates = selectors.templates_for(concern.jurisdiction)
    referrals = selectors.referrals_without_pack(concern)
    initial: dict = {}
    chosen = request.GET.get("referral", "")
    referral = referrals.filter(pk=int(chosen)).first() if chosen.isdecimal() else None
    if referral is not None:
        initial.update(referral=referral.pk, agency=referral.agency)
    elif request.GET.get("agency"):
        initial["agency"] = request.GET["agency"]
    form = BuildPackForm(
        request.POST or None, initial=initial, decisions=decisions, templates=templates, referrals=referrals
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pack = services.build_referral_pack(
                actor=request.user,
                concern_id=concern.pk,
                sharing_decision_id=data["sharing_decision"].pk,
                agency=data["agency"],
                referral_id=data["referral"].pk if data["referral"] else None,
            )
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Referral pack %(reference)s is drafted: read it, edit it, then finalise it.")
                % {"reference": pack.reference},
            )
            return redirect("escalation:pack", pack_id=pack.pk)
    return render(
        request,
        "escalation/packs/new.html",
        {"concern": concern, "form": form, "has_decision": decisions.exists(), "templates": templates},
    )


@lead_required
def pack_detail(request, pack_id: int):
    """A draft: its sections to edit (each save is a new revision). A finalised pack: its record."""
    pack = selectors.get_pack_for_lead(request.user, pack_id)
    history = selectors.revision_history(pack)
    final = selectors.final_of(pack)
    if final is not None:
        return render(
            request,
            "escalation/packs/final.html",
            {"concern": pack.concern, "pack": pack, "final": final, "history": history},
        )
    latest = history[-1]
    form = EditPackForm(request.POST or None, sections=latest.sections, initial={"revision": latest.number})
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.save_pack_revision(
                actor=request.user,
                pack_id=pack.pk,
                based_on=form.cleaned_data["revision"],
                bodies=form.bodies(),
                note=form.cleaned_data["note"],
            )
        except services.ProtectedIdentityInText as refusal:
            for index, message in refusal.problems.items():
                form.add_error(f"section_{index}", message)
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            if revision is None:
                messages.info(request, _("Nothing had changed, so no new version was saved."))
            else:
                messages.success(
                    request, _("Your changes are saved as version %(number)s.") % {"number": revision.number}
                )
            if request.POST.get("then") == "finalise":
                return redirect("escalation:pack_finalise", pack_id=pack.pk)
            return redirect("escalation:pack", pack_id=pack.pk)
    _record_view(request, pack, "pack_draft", revision=latest.number)
    return render(
        request,
        "escalation/packs/edit.html",
        {
            "concern": pack.concern,
            "pack": pack,
            "form": form,
            "latest": latest,
            "history": history,
            "protected": list(pack.sharing_decision.protected_identities.all()),
        },
    )


@lead_required
def pack_finalise(request, pack_id: int):
    """Read the pack as it will be stored, say how it is sent (unless it confirms a referral), finalise."""
    pack = selectors.get_pack_for_lead(request.user, pack_id)
    if selectors.final_of(pack) is not None:
        messages.info(request, _("This pack is already finalised."))
        return redirect("escalation:pack", pack_id=pack.pk)
    latest = selectors.latest_revision(pack)
    form = FinalisePackForm(
        request.POST or None,
        new_referral=pack.referral_id is None,
        initial={"revision": latest.number, "expected_status": pack.concern.status},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.finalise_referral_pack(actor=request.user, pack_id=pack.pk, **form.service_values())
        except services.ProtectedIdentityInText as refusal:
            form.add_error(None, str(refusal))
            for message in refusal.problems.values():
                form.add_error(None, message)
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Referral pack %(reference)s is finalised and stored. Print it or download it to send.")
                % {"reference": pack.reference},
            )
            return redirect("escalation:pack", pack_id=pack.pk)
    _record_view(request, pack, "pack_draft", revision=latest.number)
    redactor = Redactor.for_decision(pack.sharing_decision)
    return render(
        request,
        "escalation/packs/finalise.html",
        {
            "concern": pack.concern,
            "pack": pack,
            "latest": latest,
            "form": form,
            "written_confirmation_due": selectors.written_confirmation_due(pack.referral) if pack.referral else None,
            "protected_found": {
                index: redactor.found_in(f"{s['heading']}\n{s['body']}") for index, s in enumerate(latest.sections)
            },
        },
    )


def _stored_document(request, pack_id: int, *, page: str, attachment: bool) -> HttpResponse:
    pack = selectors.get_pack_for_lead(request.user, pack_id)
    final = selectors.final_of(pack)
    if final is None:
        raise Http404("This pack is not finalised.")
    _record_view(request, pack, page, sha256=final.sha256)
    body = final.document.encode("utf-8")
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    # RFC 9530: the SHA-256 of the bytes sent, which is the hash in the audit trail.
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode('ascii')}:"
    response["Cache-Control"] = "no-store, private"
    if attachment:
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{pack.reference}-referral-pack.html"
        )
    # The stored document carries its own styles and no script: admit that <style> by its hash.
    style = style_source_hash(final.document)
    response._csp_replace = {  # type: ignore[attr-defined]
        "style-src": [style] if style else ["'none'"],
        "script-src": ["'none'"],
        "img-src": ["'none'"],
        "connect-src": ["'none'"],
        "form-action": ["'none'"],
    }
    return response


@lead_required
@require_GET
def pack_print(request, pack_id: int):
    return _stored_document(request, pack_id, page="pack_print", attachment=False)


@lead_required
@require_GET
def pack_download(request, pack_id: int):
    return _stored_document(request, pack_id, page="pack_download", attachment=True)
