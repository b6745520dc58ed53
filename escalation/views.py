"""The lead's pages: the queue, the concern's workflow page and one page per step.

Views translate only: check access (selectors), bind the form, call the service, tell the
lead what happened, redirect. A refusal from a service is shown beside the form, with
everything the lead typed kept.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.roles import LEAD_ROLES, Role
from accounts.security import require_fresh_second_factor
from audit.actions import AuditAction
from audit.services import record_event
from concerns.models import ConcernStatus
from concerns.selectors import active_categories, category_labels, concern_with_parts
from escalation import forms, selectors, services, staff_services
from escalation.models import ExternalReferral
from escalation.queue_rows import queue_rows

lead_required = role_required(*LEAD_ROLES)
# The case file is read by leads (who act on it) and managers (who check it).
case_file_reader_required = role_required(*LEAD_ROLES, Role.MANAGER)


# --- The queue ---------------------------------------------------------------------------------


def _queue_filters(form: forms.QueueFilterForm) -> selectors.QueueFilters:
    """The filters the lead asked for; a value that does not validate is left out, the rest apply."""
    form.is_valid()
    data = form.cleaned_data

    def text(name: str) -> str:
        return data.get(name) or ""

    return selectors.QueueFilters(
        status=text("status"),
        closed_from=data.get("closed_from"),
        closed_to=data.get("closed_to"),
        urgency=text("urgency"),
        nation=text("nation"),
        team=int(data["team"]) if data.get("team") else None,
        category=text("category"),
        risk=text("risk"),
        owner=text("owner"),
        due_kind=text("due_kind"),
        overdue=bool(data.get("overdue")),
        chase=bool(data.get("chase")),
        search=text("q"),
        sort=text("sort") or selectors.DEFAULT_SORT,
        descending=data.get("dir") == "desc",
    )


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, read without counting every row the filters select.

    The page reads one row more than it shows: whether a next page exists is known from the
    rows themselves. How many rows there are in all (capped) is a request of its own, which
    the page loads beside itself (``queue_total``), so the rows are not held up by it.
    """

    number: int
    rows: list
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


# The queue pages through as many rows as its count reports ("more than 1000"): past them, the
# filters or the search narrow it. A page far down would make PostgreSQL walk every row before it.
LAST_QUEUE_PAGE = selectors.COUNT_CAP // selectors.QUEUE_PAGE_SIZE + 1


def _page_number(value: str | None) -> int:
    """The page asked for, up to LAST_QUEUE_PAGE; anything but a whole number from 1 is the first."""
    if not value or not value.isdigit() or int(value) < 1:
        return 1
    return min(int(value), LAST_QUEUE_PAGE)


def _filtered_queue(request):
    """The filter form bound to the URL, and the filters it gives (the queue and its total)."""
    # The filter lists the categories and the rows name them: one read of them for both.
    lists = selectors.queue_filter_lists(request.user)
    form = forms.QueueFilterForm(
        request.GET or None,
        teams=lists.teams,
        statuses=selectors.status_choices(),
        owners=lists.owners,
        categories=active_categories(lists.categories),
    )
    filters = _queue_filters(form) if request.GET else selectors.QueueFilters()
    return form, filters, lists.categories


def _query_without_page(request):
    """The queue's query string (filters, search, order) without its page: what the headings,
    the refresh, the page links and how many match carry over."""
    query = request.GET.copy()
    query.pop("page", None)
    return query


def _with_query(path: str, query) -> str:
    return f"{path}?{query.urlencode()}" if query else path


# The columns of the queue, in order: (sort key or "" when the column does not sort, heading).
QUEUE_COLUMNS = [
    ("reference", _("Reference")),
    ("received", _("Received")),
    ("urgency", _("Urgency")),
    ("", _("Categories")),
    ("team", _("Team")),
    ("reporter", _("Reporter")),
    ("due", _("Time left")),
    ("risk", _("Risk rating")),
    ("status", _("Status")),
    ("owner", _("Owner")),
]


def _sortable_columns(request, filters: selectors.QueueFilters) -> list[dict]:
    """Each heading with its link: the current URL with this order (the other way round when it
    is already the order), and its aria-sort state."""
    query = _query_without_page(request)
    columns = []
    for key, heading in QUEUE_COLUMNS:
        column = {"key": key, "heading": heading, "aria_sort": "", "url": ""}
        if key:
            current = filters.sort == key
            query["sort"] = key
            query["dir"] = "asc" if (current and filters.descending) or not current else "desc"
            column["url"] = "?" + query.urlencode()
            if current:
                column["aria_sort"] = "descending" if filters.descending else "ascending"
        columns.append(column)
    return columns


@lead_required
def queue(request):
    """The lead's concerns, filtered, searched and ordered as the URL says (bookmarkable).

    htmx polls this URL with the current query string and swaps only the table body, so the
    filters, the order and the page survive each refresh.
    """
    form, filters, categories = _filtered_queue(request)
    now = timezone.now()
    number = _page_number(request.GET.get("page"))
    first = (number - 1) * selectors.QUEUE_PAGE_SIZE
    # One row more than the page shows: if it comes back, there is a next page.
    top = first + selectors.QUEUE_PAGE_SIZE + 1
    rows = queue_rows(
        selectors.queue_page_rows(request.user, filters, now=now, first=first, top=top),
        now=now,
        request=request,
        category_labels=category_labels(categories),
    )
    page = QueuePage(
        number=number,
        rows=rows[: selectors.QUEUE_PAGE_SIZE],
        has_next=len(rows) > selectors.QUEUE_PAGE_SIZE and number < LAST_QUEUE_PAGE,
    )
    query = _query_without_page(request)
    context = {
        "filter_form": form,
        "filters": filters,
        "page": page,
        "rows": page.rows,
        "now": now,
        "filter_query": query.urlencode(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "escalation/queue/_rows.html", context)
    context.update(
        {
            "columns": _sortable_columns(request, filters),
            "find_form": forms.FindConcernForm(),
            "total_url": _with_query(reverse("escalation:queue_total"), query),
        }
    )
    return render(request, "escalation/queue/queue.html", context)


@lead_required
def queue_total(request):
    """How many concerns the queue's filters select (capped), for the caption above its rows.

    The queue page loads it beside itself with the same query string, and refreshes it with
    its rows (htmx); without JavaScript the caption links here, a page of its own."""
    _form, filters, _categories = _filtered_queue(request)
    total = selectors.queue_total(request.user, filters)
    context = {
        "total": total,
        "capped": total > selectors.COUNT_CAP,
        "count_cap": selectors.COUNT_CAP,
        "filters": filters,
        "queue_url": _with_query(reverse("escalation:queue"), _query_without_page(request)),
    }
    if request.headers.get("HX-Request"):
        return render(request, "escalation/queue/_total.html", context)
    return render(request, "escalation/queue/total.html", context)


@lead_required
def queue_counts(request):
    """How many of the lead's open concerns are in each status, overdue by kind, or waiting on an
    agency: the same for every order, filter and page of the queue. The queue page loads them
    beside itself and refreshes them with its rows (htmx); without JavaScript they are a page."""
    context = {
        "counts": selectors.queue_counts(request.user),
        "count_cap": selectors.COUNT_CAP,
        "queue_url": reverse("escalation:queue"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "escalation/queue/_counts.html", context)
    return render(request, "escalation/queue/counts.html", context)


@case_file_reader_required
def find_concern(request):
    """Open a concern by its reference: directly when the reader may (a lead covering it, a
    manager), else via break-glass for a lead."""
    form = forms.FindConcernForm(request.GET)
    if form.is_valid():
        concern = selectors.find_concern_by_reference(form.cleaned_data["reference"])
        if concern is not None and not selectors.is_hidden_from(request.user, concern.pk):
            if selectors.case_file_concern(request.user, concern.pk) is not None:
                return redirect("escalation:concern", concern_id=concern.pk)
            if request.user.is_lead:
                return redirect("escalation:break_glass", concern_id=concern.pk)
    messages.error(request, gettext("No concern has that reference."))
    return redirect("escalation:queue" if request.user.is_lead else "audit:trail")


# --- One concern -------------------------------------------------------------------------------


def _case_file_page(request, concern_id: int, *, template: str, page: str):
    concern = selectors.get_case_file_concern(request.user, concern_id)
    # Before this view is recorded: what is new since the owner last looked.
    new_addenda = selectors.addenda_new_since_owner_view(concern)
    # The access is recorded before anything is shown; if the write fails, the page is not shown.
    with transaction.atomic():
        record_event(action=AuditAction.CONCERN_VIEWED, actor=request.user, subject=concern, details={"page": page})
    concern = concern_with_parts(concern)
    return render(
        request,
        template,
        {"concern": concern, "can_act": selectors.can_act_on(request.user, concern), "new_addenda": new_addenda},
    )


@case_file_reader_required
def concern_page(request, concern_id: int):
    """The case file: the concern's summary first, then the workflow, sharing, referrals, triage
    and chronology. Leads act on it; managers read it."""
    return _case_file_page(request, concern_id, template="escalation/concern/workflow.html", page="workflow")


@case_file_reader_required
def concern_print(request, concern_id: int):
    """The case file for paper: the same sections without the actions, then the full record."""
    return _case_file_page(request, concern_id, template="escalation/concern/print.html", page="case_file_print")


@lead_required
@require_POST
def acknowledge(request, concern_id: int):
    concern = selectors.get_concern_for_lead(request.user, concern_id)
    try:
        services.acknowledge_concern(actor=request.user, concern_id=concern.pk)
    except services.AcknowledgementError as refusal:
        messages.warning(request, str(refusal))
    else:
        messages.success(request, f"You acknowledged {concern.reference}: you own the next decision.")
    return redirect(_back(request, concern))


def _back(request, concern) -> str:
    """Where to return after a POST: the page the lead came from, when it is ours."""
    target = request.POST.get("next", "")
    allowed = (reverse("escalation:queue"), reverse("escalation:concern", args=[concern.pk]))
    if target.startswith(allowed) or target == concern.get_absolute_url():
        return target
    return reverse("escalation:concern", args=[concern.pk])


def _step(request, concern, *, form, template, title, run, success):
    """Bind, call the service, message; on a refusal, show it above the form with the input kept."""
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except services.WorkflowError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, success)
            return redirect("escalation:concern", concern_id=concern.pk)
    return render(request, template, {"concern": concern, "form": form, "title": title})


@lead_required
def assign(request, concern_id: int):
    concern = selectors.get_concern_for_lead(request.user, concern_id)
    form = forms.AssignForm(request.POST or None, leads=selectors.assignable_leads(concern))

    def run(data):
        services.assign_concern(
            actor=request.user, concern_id=concern.pk, new_owner_id=data["new_owner"].pk, note=data["note"]
        )

    return _step(
        request,
        concern,
        form=form,
        template="escalation/concern/step.html",
        title=f"Assign {concern.reference}",
        run=run,
        success=f"{concern.reference} was reassigned.",
    )


@lead_required
def triage(request, concern_id: int):
    concern = selectors.get_concern_for_lead(request.user, concern_id)
    state = selectors.workflow_state(concern)
    previous = state.triage.risk_rating if state.triage else ""
    initial = {"expected_status": concern.status, **selectors.triage_form_initial(state.triage)}
    form = forms.TriageForm(request.POST or None, initial=initial, previous_rating=previous)

    def run(data):
        services.record_triage(actor=request.user, concern_id=concern.pk, **data)

    return _step(
        request,
        concern,
        form=form,
        template="escalation/concern/step.html",
        title=f"Triage {concern.reference}",
        run=run,
        success="Triage recorded.",
    )


@lead_required
def refer(request, concern_id: int):
    concern = selectors.get_concern_for_lead(request.user, concern_id)
    initial = {"expected_status": concern.status, "referred_at": timezone.localtime().replace(second=0, microsecond=0)}
    if request.GET.get("agency"):
        initial["agency"] = request.GET["agency"]
    decisions = selectors.referral_sharing_decisions(concern)
    # The decision in force (the latest not superseded) is what a referral most often rests on.
    in_force = selectors.sharing_decision_in_force(decisions)
    if in_force is not None:
        initial["sharing_decision"] = in_force.pk
    form = forms.ReferralForm(request.POST or None, initial=initial, sharing_decisions=decisions)

    def run(data):
        services.record_referral(actor=request.user, concern_id=concern.pk, **data)

    return _step(
        request,
        concern,
        form=form,
        template="escalation/concern/step.html",
        title=f"Record a referral for {concern.reference}",
        run=run,
        success="Referral recorded.",
    )


def _referral_for_lead(request, referral_id: int):
    referral = get_object_or_404(ExternalReferral, pk=referral_id)
    concern = selectors.get_concern_for_lead(request.user, referral.concern_id)
    return referral, concern


@lead_required
def referral_response(request, referral_id: int):
    referral, concern = _referral_for_lead(request, referral_id)
    form = forms.ReferralResponseForm(request.POST or None, initial={"received_at": timezone.localtime()})

    def run(data):
        services.record_referral_response(actor=request.user, referral_id=referral.pk, **data)

    return _step(
        request,
        concern,
        form=form,
        template="escalation/concern/step.html",
        title=f"Response from {referral.agency_label}",
        run=run,
        success="Response recorded.",
    )


@lead_required
def referral_confirmed(request, referral_id: int):
    referral, concern = _referral_for_lead(request, referral_id)
    form = forms.WrittenConfirmationForm(request.POST or None, initial={"confirmed_at": timezone.localtime()})

    def run(data):
        services.confirm_referral_in_writing(actor=request.user, referral_id=referral.pk, **data)

    return _step(
        request,
        concern,
        form=form,
        template="escalation/concern/step.html",
        title=f"Written confirmation to {referral.agency_label}",
        run=run,
        success="Written confirmation recorded.",
    )


@lead_required
def close(request, concern_id: int):
    concern = selectors.get_concern_for_lead(request.user, concern_id)
    form = forms.CloseForm(request.POST or None, initial={"expected_status": concern.status})

    def run(data):
        services.close_concern(actor=request.user, concern_id=concern.pk, **data)

    return _step(
        request,
        concern,
        form=form,
        template="escalation/concern/step.html",
        title=f"Close {concern.reference}",
        run=run,
        success=f"{concern.reference} is closed.",
    )


@lead_required
def reopen(request, concern_id: int):
    concern = selectors.get_concern_for_lead(request.user, concern_id)
    if concern.status != ConcernStatus.CLOSED:
        messages.info(request, f"{concern.reference} is not closed.")
        return redirect("escalation:concern", concern_id=concern.pk)
    form = forms.ReopenForm(request.POST or None)

    def run(data):
        services.reopen_concern(actor=request.user, concern_id=concern.pk, reason=data["reason"])

    return _step(
        request,
        concern,
        form=form,
        template="escalation/concern/step.html",
        title=f"Reopen {concern.reference}",
        run=run,
        success=f"{concern.reference} is reopened.",
    )


@lead_required
@require_fresh_second_factor  # step-up before opening another team's concern (docs/contracts.md)
def break_glass(request, concern_id: int):
    """Another team's concern: a stated reason first, then access for this session."""
    concern = selectors.break_glass_candidate(request.user, concern_id=concern_id)
    if concern is None and selectors.is_hidden_from(request.user, concern_id):
        # About them, or they declared a conflict: refused, recorded and the managers told, with
        # the very answer a concern that does not exist gets.
        staff_services.refuse_break_glass(
            actor=request.user, concern_id=concern_id, reason=request.POST.get("reason", "")
        )
        raise Http404("No such concern.")
    if concern is None:
        # Covered already (or via a live grant): no reason needed. Anything else: 404.
        selectors.get_concern_for_lead(request.user, concern_id)
        return redirect("escalation:concern", concern_id=concern_id)
    form = forms.BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass(actor=request.user, concern_id=concern.pk, reason=form.cleaned_data["reason"])
        except services.WorkflowError as refusal:
            form.add_error("reason", str(refusal))
        else:
            messages.warning(
                request, f"You opened {concern.reference} from outside your teams. This is recorded and reviewed."
            )
            return redirect("escalation:concern", concern_id=concern.pk)
    return render(request, "escalation/concern/break_glass.html", {"concern": concern, "form": form})
