"""Pages for identifying an alleged person as staff and for declaring a conflict of interest.

Views translate only: check access (404 for what the lead may not see), bind the form, call
``escalation.staff_services``, say what happened, redirect. A refusal is shown in the error
summary with everything typed kept.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from accounts.roles import LEAD_ROLES
from escalation import selectors, staff_forms, staff_services
from escalation.services import WorkflowError

lead_required = role_required(*LEAD_ROLES)


@lead_required
def link_staff(request, concern_id: int):
    concern = selectors.get_concern_for_lead(request.user, concern_id)
    alleged_people = list(concern.alleged_persons.order_by("position", "id"))
    form = staff_forms.StaffLinkForm(request.POST or None, alleged_people=alleged_people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff_services.link_alleged_person_to_staff(
                actor=request.user,
                concern_id=concern.pk,
                alleged_person_id=int(data["alleged_person"]),
                staff_member_id=data["staff_member"].pk,
                reason=data["reason"],
            )
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            if data["staff_member"].pk == request.user.pk:
                # The concern is now hidden from the lead who made the link.
                messages.success(request, _("The link is recorded. The concern is no longer shown to you."))
                return redirect("escalation:queue")
            messages.success(
                request,
                _("The alleged person is linked to a member of staff. The concern is hidden from them from now on."),
            )
            return redirect("escalation:concern", concern_id=concern.pk)
    return render(request, "escalation/staff/link.html", {"concern": concern, "form": form})


@lead_required
def declare_conflict(request, concern_id: int):
    concern = selectors.get_concern_for_lead(request.user, concern_id)
    form = staff_forms.ConflictOfInterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_services.declare_conflict_of_interest(
                actor=request.user, concern_id=concern.pk, reason=form.cleaned_data["reason"]
            )
        except WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, _("Your conflict of interest is recorded. The concern is no longer shown to you.")
            )
            return redirect("escalation:queue")
    return render(request, "escalation/staff/conflict.html", {"concern": concern, "form": form})
