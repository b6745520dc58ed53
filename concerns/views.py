"""Intake and the clinician's view of their concerns. Views check access, bind forms and call services."""

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
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.roles import Role
from audit.actions import AuditAction
from audit.services import record_event
from concerns import selectors, services
from concerns.forms import FORMSETS, AddendumForm, ConcernForm, filled_rows
from concerns.guidance import NEXT_STEPS_BY_URGENCY
from concerns.models import UNCLEAR_CATEGORY, Concern, IdentityStatus, ImmediateDanger, YesNoUnknown

FILING_ROLES = (Role.CLINICIAN, Role.LEAD, Role.DEPUTY)
# Fields the browser sends that are not part of what was typed.
NOT_DRAFT_FIELDS = {"csrfmiddlewaretoken", "add"}
# A draft holds everything typed, however long (free-text fields take 100,000 characters each):
# this only stops a runaway client. Counted in characters, as the fields are.
MAX_DRAFT_CHARACTERS = 3_000_000


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


def _bind(user, data=None, initial=None):
    form = ConcernForm(data, user=user, initial=initial)
    formsets = {key: cls(_posted_rows(data, prefix), prefix=prefix) for key, (cls, prefix) in FORMSETS.items()}
    return form, formsets


def _posted_rows(data: QueryDict | None, prefix: str) -> QueryDict | dict | None:
    """A repeating part the posting page did not have (a page or draft from before the part was
    added) is posted as having no rows, instead of failing for its missing management form. Only
    that part is given the empty one: copying the whole post for it cost more than the part."""
    if data is None or f"{prefix}-TOTAL_FORMS" in data:
        return data
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


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


# The "add more detail" sections of the intake form: the concern's fields and repeating parts in
# each. A section opens by itself when anything in it was typed (a restored draft, a failed
# submit) or needs attention, or when an answer makes it relevant.
MORE_DETAIL_SECTIONS = {
    "alleged": ((), "alleged_persons"),
    "others": ((), "other_people"),
    "when": (
        (
            "occurred_on",
            "occurred_time",
            "occurred_on_text",
            "occurred_on_approximate",
            "location",
            "setting",
            "setting_detail",
            "people_present",
            "non_recent",
            "abuse_period",
        ),
        None,
    ),
    "discloser": (
        (
            "discloser_type",
            "discloser_police_wishes",
            "discloser_identity_wishes",
            "discloser_notes",
            "support_offered",
        ),
        None,
    ),
    "what": (("categories", "summary"), None),
    "account": (("observations", "opinion", "questions_asked"), None),
    "prior": ((), "prior_reports"),
    "actions": (("actions_taken", "consulted", "consultation_notes"), None),
}


def _open_sections(form, formsets) -> dict[str, bool]:
    opened = {}
    for section, (fields, formset_key) in MORE_DETAIL_SECTIONS.items():
        is_open = form.is_bound and any(name in form.changed_data or name in form.errors for name in fields)
        if formset_key and formsets[formset_key].is_bound:
            parts = formsets[formset_key]
            is_open = is_open or any(part.has_changed() or part.errors for part in parts.forms)
        opened[section] = is_open
    opened["alleged"] = opened["alleged"] or (form.is_bound and form["has_alleged_person"].value() == YesNoUnknown.YES)
    return opened


def _render_new(request, *, form, formsets, submission_key, draft=None, status=200):
    drafts = list(selectors.drafts_of(request.user))
    other_drafts = [d for d in drafts if str(d.submission_key) != str(submission_key)]
    if draft is None:
        draft = next((d for d in drafts if str(d.submission_key) == str(submission_key)), None)
    return render(
        request,
        "concerns/new.html",
        {
            "form": form,
            "formsets": formsets,
            "submission_key": submission_key,
            "other_drafts": other_drafts[:5],
            "current_draft": draft,
            "open_sections": _open_sections(form, formsets),
        },
        status=status,
    )


def _submission_data(form, formsets) -> dict:
    """What the service files, from the bound form: the short path's answers stand in for what
    it does not ask (no category chosen is "unclear"; an alleged person said to exist is filed
    even when nothing more is known about them)."""
    cleaned = dict(form.cleaned_data)
    has_alleged_person = cleaned.pop("has_alleged_person", "")
    data = {**cleaned, "categories": list(cleaned["categories"]) or [UNCLEAR_CATEGORY]}
    data.update({key: filled_rows(fs) for key, fs in formsets.items()})
    if has_alleged_person == YesNoUnknown.YES and not data["alleged_persons"]:
        data["alleged_persons"] = [{"identity": IdentityStatus.UNKNOWN}]
    return data


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
            data = _submission_data(form, formsets)
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

    draft = _draft_to_continue(request)
    if draft is not None:
        form, formsets = _bind(request.user, _as_querydict(draft.data))
        _quiet(form, formsets)
        submission_key = draft.submission_key
    else:
        form, formsets = _bind(request.user, initial=_initial_from_link(request))
        submission_key = uuid.uuid4()
    return _render_new(request, form=form, formsets=formsets, submission_key=submission_key, draft=draft)


def _initial_from_link(request) -> dict:
    """ "Report a concern about this client" opens a new concern with that client chosen (only a
    client the person may file about; anything else is ignored)."""
    client_id = request.GET.get("client", "")
    if client_id.isdigit() and selectors.clients_for_intake(request.user).filter(pk=client_id).exists():
        return {"client": int(client_id)}
    return {}


def _draft_to_continue(request):
    """The draft New concern opens with: the one asked for, else the latest one. A blank form (and so,
    once typed in, a second draft) only when the person asked for a new concern."""
    draft_key = request.GET.get("draft")
    if draft_key:
        return selectors.get_draft_for_user(request.user, submission_key=draft_key)
    if request.GET.get("new") or request.GET.get("client"):
        return None
    return selectors.drafts_of(request.user).first()


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
    if sum(len(value) for values in payload.values() for value in values) > MAX_DRAFT_CHARACTERS:
        return JsonResponse({"error": "too_large", "message": "This draft is too long to save."}, status=413)
    try:
        draft = services.save_draft(actor=request.user, submission_key=submission_key, data=payload)
    except services.DuplicateSubmissionKey:
        return JsonResponse({"error": "submitted", "message": "This concern has already been submitted."}, status=409)
    saved_at = timezone.localtime(draft.updated_at)
    return JsonResponse({"saved_at": saved_at.isoformat(), "display": date_format(saved_at, "H:i:s")})


@role_required(*FILING_ROLES)
def discard_draft(request, submission_key):
    """Discarding cannot be undone, so it asks first: only a POST that confirms it deletes the draft."""
    draft = selectors.get_draft_for_user(request.user, submission_key=submission_key)
    back = "new" if request.POST.get("next", request.GET.get("next")) == "new" else "mine"
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.discard_draft(actor=request.user, draft=draft)
        messages.success(request, gettext("The draft was discarded."))
        return redirect("concerns:new" if back == "new" else "concerns:mine")
    return render(
        request,
        "concerns/discard_draft.html",
        {"draft": draft, "next": back, "preview": _draft_preview(draft)},
    )


def _draft_preview(draft) -> str:
    """The first words typed, so the person can tell which draft they are about to discard."""
    for field in ("summary", "own_words", "observations"):
        text = (draft.data.get(field) or [""])[0].strip()
        if text:
            return text[:200] + ("…" if len(text) > 200 else "")
    return ""


@role_required(*FILING_ROLES)
def staff_search(request):
    """The type-ahead for "they work or volunteer here": name and team of matching active people only."""
    return JsonResponse({"results": selectors.staff_matching(request.GET.get("q", ""))})


@role_required(*FILING_ROLES)
def submitted(request, pk):
    """After submission: the reference and what happens next (no concern content, so no view event)."""
    concern = get_object_or_404(selectors.concerns_reported_by(request.user), pk=pk)
    return render(
        request,
        "concerns/submitted.html",
        {
            "concern": concern,
            # Who was actually alerted (after the rota's fallbacks) and the policy's real times.
            "notice": selectors.first_notice(concern),
            "danger_made_it_immediate": concern.immediate_danger == ImmediateDanger.YES
            and not concern.not_immediate_reason.strip(),
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
            "drafts": list(selectors.drafts_of(request.user)[:50]),
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
            services.add_addendum(
                actor=request.user,
                concern=concern,
                text=form.cleaned_data["text"],
                section=form.cleaned_data["section"],
            )
        except ValidationError as exc:
            form.add_error("text", exc.messages)
        else:
            messages.success(request, "Your addendum was added.")
            return redirect(f"{concern.get_absolute_url()}#addenda")
    return _concern_page(request, pk, template="concerns/detail.html", view="page", addendum_form=form)
