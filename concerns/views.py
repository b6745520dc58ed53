"""Intake and the clinician's view of their concerns. Views check access, bind forms and call services."""

import json
import uuid
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.roles import Role
from accounts.selectors import leads_covering_team
from audit.actions import AuditAction
from audit.services import record_event
from concerns import selectors, services
from concerns.forms import FORMSETS, AddendumForm, ConcernForm, filled_rows
from concerns.guidance import NEXT_STEPS_BY_URGENCY
from concerns.models import Concern

FILING_ROLES = (Role.CLINICIAN, Role.LEAD, Role.DEPUTY)
# Fields the browser sends that are not part of what was typed.
NOT_DRAFT_FIELDS = {"csrfmiddlewaretoken", "add"}
MAX_DRAFT_BYTES = 300_000


# --- Helpers ------------------------------------------------------------------------------------


def _draft_payload(post: QueryDict) -> dict:
    # PostgreSQL's jsonb cannot hold NUL; the form refuses it with a message anyway.
    return {
        key: [value.replace("\x00", "") for value in post.getlist(key)] for key in post if key not in NOT_DRAFT_FIELDS
    }


def _as_querydict(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values if isinstance(values, list) else [values])
    return query


def _bind(user, data=None):
    form = ConcernForm(data, user=user)
    formsets = {key: cls(data, prefix=prefix) for key, (cls, prefix) in FORMSETS.items()}
    return form, formsets


def _quiet(form, formsets):
    """Show restored draft values without validation errors (a half-typed draft is not a mistake)."""
    for each in [form, *[f for fs in formsets.values() for f in fs.forms]]:
        each._errors = ErrorDict()
        each.cleaned_data = {}
    for formset in formsets.values():
        formset._errors = []
        formset._non_form_errors = ErrorList()


def _add_blank_form(formsets, which: str, data: QueryDict):
    """The no-JavaScript "add another": one more blank form in the chosen repeating section."""
    for key, (cls, prefix) in FORMSETS.items():
        if prefix == which:
            total = f"{prefix}-TOTAL_FORMS"
            data = data.copy()
            data[total] = str(min(int(data.get(total) or 0) + 1, cls.max_num))
            formsets[key] = cls(data, prefix=prefix)
    return formsets


def _render_new(request, *, form, formsets, submission_key, status=200):
    other_drafts = [d for d in selectors.drafts_of(request.user) if str(d.submission_key) != str(submission_key)]
    return render(
        request,
        "concerns/new.html",
        {
            "form": form,
            "formsets": formsets,
            "submission_key": submission_key,
            "other_drafts": other_drafts[:5],
            "has_errors": bool(form.errors) or any(fs.total_error_count() for fs in formsets.values()),
        },
        status=status,
    )


def _save_draft_quietly(user, submission_key, post) -> None:
    try:
        services.save_draft(actor=user, submission_key=submission_key, data=_draft_payload(post))
    except (services.DuplicateSubmissionKey, ValueError):
        pass  # already submitted, or a forged key: nothing of this person's to keep


def _audit_view(user, concern: Concern, *, view: str) -> None:
    """Every view of concern content is recorded before it is shown; if this fails, nothing is shown."""
    with transaction.atomic():
        record_event(action=AuditAction.CONCERN_VIEWED, actor=user, subject=concern, details={"page": view})


# --- Intake ---------------------------------------------------------------------------------------


@role_required(*FILING_ROLES)
def new_concern(request):
    if request.method == "POST":
        try:
            submission_key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            return HttpResponseBadRequest("The form was missing its key. Reload the page; your draft is kept.")
        form, formsets = _bind(request.user, request.POST)
        if request.POST.get("add"):
            _save_draft_quietly(request.user, submission_key, request.POST)
            formsets = _add_blank_form(formsets, request.POST["add"], request.POST)
            _quiet(form, formsets)
            return _render_new(request, form=form, formsets=formsets, submission_key=submission_key)
        if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
            data = {**form.cleaned_data, "categories": list(form.cleaned_data["categories"])}
            data.update({key: filled_rows(fs) for key, fs in formsets.items()})
            try:
                concern, created = services.submit_concern(actor=request.user, data=data, submission_key=submission_key)
            except services.DuplicateSubmissionKey:
                return HttpResponseBadRequest("This form cannot be submitted. Start a new concern.")
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if not created:
                    messages.info(request, f"This concern was already submitted as {concern.reference}.")
                return redirect("concerns:submitted", concern.pk)
        _save_draft_quietly(request.user, submission_key, request.POST)
        return _render_new(request, form=form, formsets=formsets, submission_key=submission_key)

    draft_key = request.GET.get("draft")
    if draft_key:
        draft = selectors.get_draft_for_user(request.user, submission_key=draft_key)
        form, formsets = _bind(request.user, _as_querydict(draft.data))
        _quiet(form, formsets)
        submission_key = draft.submission_key
    else:
        form, formsets = _bind(request.user)
        submission_key = uuid.uuid4()
    return _render_new(request, form=form, formsets=formsets, submission_key=submission_key)


@require_POST
def save_draft(request):
    """Autosave (fetch from intake.js). Answers JSON, never a login redirect, so the page can say what happened."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "signed_out", "message": "You have been signed out."}, status=401)
    if not request.user.has_role(*FILING_ROLES):
        return JsonResponse({"error": "forbidden"}, status=403)
    try:
        submission_key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return JsonResponse({"error": "bad_key"}, status=400)
    payload = _draft_payload(request.POST)
    if len(json.dumps(payload)) > MAX_DRAFT_BYTES:
        return JsonResponse({"error": "too_large", "message": "This draft is too long to save."}, status=413)
    try:
        draft = services.save_draft(actor=request.user, submission_key=submission_key, data=payload)
    except services.DuplicateSubmissionKey:
        return JsonResponse({"error": "submitted", "message": "This concern has already been submitted."}, status=409)
    saved_at = timezone.localtime(draft.updated_at)
    return JsonResponse({"saved_at": saved_at.isoformat(), "display": date_format(saved_at, "H:i:s")})


@role_required(*FILING_ROLES)
@require_POST
def discard_draft(request, submission_key):
    draft = selectors.get_draft_for_user(request.user, submission_key=submission_key)
    services.discard_draft(actor=request.user, draft=draft)
    messages.success(request, "The draft was discarded.")
    return redirect("concerns:new" if request.POST.get("next") == "new" else "concerns:mine")


@role_required(*FILING_ROLES)
def submitted(request, pk):
    """After submission: the reference and what happens next (no concern content, so no view event)."""
    concern = get_object_or_404(selectors.concerns_reported_by(request.user), pk=pk)
    return render(
        request,
        "concerns/submitted.html",
        {
            "concern": concern,
            "leads": list(leads_covering_team(concern.team).exclude(pk=request.user.pk)),
            "next_steps": NEXT_STEPS_BY_URGENCY.get(concern.urgency, ""),
        },
    )


@role_required(*FILING_ROLES)
def my_concerns(request):
    return render(
        request,
        "concerns/mine.html",
        {
            "concerns": selectors.concerns_reported_by(request.user)[:200],
            "drafts": list(selectors.drafts_of(request.user)[:5]),
        },
    )


# --- The concern page ------------------------------------------------------------------------------


def _concern_page(request, pk, *, template: str, view: str, addendum_form=None, status=200):
    concern = selectors.get_concern_for_user(request.user, concern_id=pk)
    concern = selectors.concern_with_parts(concern)
    _audit_view(request.user, concern, view=view)
    return render(
        request,
        template,
        {"concern": concern, "addendum_form": addendum_form or AddendumForm()},
        status=status,
    )


def _managers_read_the_case_file(case_file_url_name: str):
    """A manager reads a concern as the lead's case file, never on this page: a link that reaches
    them (an escalated alert names the concern page) goes on there. By URL name, so this layer
    imports nothing from the one above; the case file checks access and records the view."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, pk, *args, **kwargs):
            user = request.user
            if user.is_authenticated and user.has_role(Role.MANAGER) and not user.has_role(*FILING_ROLES):
                return redirect(case_file_url_name, concern_id=pk)
            return view(request, pk, *args, **kwargs)

        return wrapped

    return decorator


@_managers_read_the_case_file("escalation:concern")
@role_required(*FILING_ROLES)
def concern_detail(request, pk):
    return _concern_page(request, pk, template="concerns/detail.html", view="page")


@_managers_read_the_case_file("escalation:concern_print")
@role_required(*FILING_ROLES)
def concern_print(request, pk):
    return _concern_page(request, pk, template="concerns/print.html", view="print")


@role_required(*FILING_ROLES)
@require_POST
def add_addendum(request, pk):
    concern = selectors.get_concern_for_user(request.user, concern_id=pk)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.add_addendum(actor=request.user, concern=concern, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc.messages)
        else:
            messages.success(request, "Your addendum was added.")
            return redirect(f"{concern.get_absolute_url()}#addenda")
    return _concern_page(request, pk, template="concerns/detail.html", view="page", addendum_form=form)
