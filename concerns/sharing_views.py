"""Recording information-sharing decisions and whether the client was told, on a concern.

These live in the concerns app because they need the concern access check; the records and
their rules belong to ``consent`` (forms and services), which never imports concerns.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render

from audit.actions import AuditAction
from audit.services import record_event
from concerns.selectors import get_concern_for_user
from consent import services
from consent.forms import ClientInformedForm, SharingDecisionForm, protected_identity_formset
from consent.models import SharingDecision


def _superseded_decision(request, concern) -> SharingDecision | None:
    supersedes_id = request.GET.get("supersedes", "")
    if not supersedes_id:
        return None
    if not supersedes_id.isdecimal():  # isdigit() would let "²" through to int()
        raise Http404("No such decision.")
    try:
        return SharingDecision.objects.get(pk=int(supersedes_id), concern=concern)
    except SharingDecision.DoesNotExist:
        raise Http404("No such decision.") from None


@login_required
def sharing_new(request, pk):
    """Record a decision to share or not (by the author at intake, or a lead later)."""
    concern = get_concern_for_user(request.user, concern_id=pk)
    supersedes = _superseded_decision(request, concern)
    if supersedes is not None and request.method != "POST":
        # The form opens with the earlier decision's content: an access like any other page.
        with transaction.atomic():
            record_event(
                action=AuditAction.CONCERN_VIEWED,
                actor=request.user,
                subject=concern,
                details={"page": "sharing_supersedes", "decision_id": supersedes.pk},
            )
        # Start from the decision being changed; the person edits what changed.
        form = SharingDecisionForm(
            initial={
                name: getattr(supersedes, f"{name}_id" if name.endswith(("_basis", "_condition")) else name)
                for name in services.SHARING_FIELDS
            }
        )
        identities = protected_identity_formset(
            initial=[
                {"name": i.name, "other_forms": i.other_forms, "replacement": i.replacement}
                for i in supersedes.protected_identities.all()
            ]
        )
    else:
        form = SharingDecisionForm(request.POST or None)
        identities = protected_identity_formset(request.POST if request.method == "POST" else None)
    if request.method == "POST" and all([form.is_valid(), identities.is_valid()]):
        try:
            services.record_sharing_decision(
                actor=request.user,
                concern=concern,
                supersedes=supersedes,
                protected_identities=identities.identities(),
                **form.service_values(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The sharing decision on {concern.reference} is recorded.")
            return redirect("concerns:detail", pk=concern.pk)
    return render(
        request,
        "concerns/sharing/decision_form.html",
        {"concern": concern, "form": form, "identities": identities, "supersedes": supersedes},
    )


@login_required
def client_informed_new(request, pk):
    concern = get_concern_for_user(request.user, concern_id=pk)
    form = ClientInformedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_client_informed(actor=request.user, concern=concern, **form.service_values())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Whether the client was told about {concern.reference} is recorded.")
            return redirect("concerns:detail", pk=concern.pk)
    return render(request, "concerns/sharing/client_informed_form.html", {"concern": concern, "form": form})
