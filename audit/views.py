"""The managers' audit pages. Every page that shows the trail is itself audited (audit.viewed)."""

from django.contrib import messages
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.roles import Role
from accounts.security import require_fresh_second_factor
from audit import selectors
from audit.actions import AuditAction
from audit.exports import csv_lines
from audit.forms import BreakGlassReviewForm, TrailFilterForm, action_suggestion_options
from audit.models import BreakGlassAccess
from audit.services import BreakGlassReviewError, record_event, review_break_glass
from audit.trail_rows import trail_rows

managers_only = role_required(Role.MANAGER)


def _record_view(request, page: str, **details):
    """Audit the reading of the trail before anything of it is rendered."""
    record_event(action=AuditAction.AUDIT_VIEWED, actor=request.user, details={"page": page, **details})


def _filter_from(request) -> tuple[TrailFilterForm, selectors.TrailFilter]:
    form = TrailFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # errors are shown beside the fields; valid fields still filter
        return form, form.to_filter()
    return form, selectors.TrailFilter()


def _query_without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("before", None)
    return query.urlencode()


@require_GET
@managers_only
def trail(request):
    form, trail_filter = _filter_from(request)
    cursor = selectors.Cursor.decode(request.GET.get("before"))
    with transaction.atomic():
        _record_view(request, "trail", filter=trail_filter.as_details(), page_start=request.GET.get("before", ""))
        page = selectors.trail_page(trail_filter, cursor, viewer=request.user)
    return render(
        request,
        "audit/trail.html",
        {
            "form": form,
            "page": page,
            "rows": trail_rows(page.events),
            "filter_query": _query_without_cursor(request),
            "action_suggestion_options": action_suggestion_options(),
        },
    )


@require_GET
@managers_only
def concern_access_log(request, reference):
    reference = reference.upper()
    cursor = selectors.Cursor.decode(request.GET.get("before"))
    with transaction.atomic():
        _record_view(request, "concern_access_log", reference=reference)
        page = selectors.concern_access_page(reference, cursor, viewer=request.user)
        break_glass = list(selectors.break_glass_for_concern(reference, viewer=request.user))
    return render(
        request,
        "audit/concern_access_log.html",
        {
            "reference": reference,
            "page": page,
            "rows": trail_rows(page.events),
            "break_glass": break_glass,
            "filter_query": "",
        },
    )


@require_GET
@managers_only
def person_activity(request, person_id):
    person = selectors.get_person(person_id)
    cursor = selectors.Cursor.decode(request.GET.get("before"))
    with transaction.atomic():
        _record_view(request, "person_activity", person_id=person.pk)
        page = selectors.person_activity_page(person.pk, cursor, viewer=request.user)
    return render(
        request,
        "audit/person_activity.html",
        {"person": person, "page": page, "rows": trail_rows(page.events), "filter_query": ""},
    )


def _break_glass_page(request, *, failed_id=None, failed_form=None, status=200):
    unreviewed = list(selectors.unreviewed_break_glass(viewer=request.user))
    for access in unreviewed:
        access.review_form = failed_form if access.pk == failed_id else BreakGlassReviewForm(prefix=f"bg{access.pk}")
    return render(
        request,
        "audit/break_glass.html",
        {"unreviewed": unreviewed, "reviewed": selectors.recently_reviewed_break_glass(viewer=request.user)},
        status=status,
    )


@require_GET
@managers_only
def break_glass_list(request):
    with transaction.atomic():
        _record_view(request, "break_glass")
    return _break_glass_page(request)


@require_POST
@managers_only
def break_glass_review(request, access_id):
    form = BreakGlassReviewForm(request.POST, prefix=f"bg{access_id}")
    if form.is_valid():
        try:
            if BreakGlassAccess.objects.filter(
                pk=access_id, concern_reference__in=selectors.hidden_references(request.user)
            ).exists():
                # About a concern hidden from this manager: answered as an access that does not exist.
                raise BreakGlassAccess.DoesNotExist
            review_break_glass(actor=request.user, access_id=access_id, comment=form.cleaned_data["comment"])
        except BreakGlassAccess.DoesNotExist:
            messages.error(request, "That break-glass access no longer exists.")
            return redirect("audit:break_glass")
        except BreakGlassReviewError as error:
            form.add_error("comment", str(error))
        else:
            messages.success(request, "Marked as reviewed.")
            return redirect("audit:break_glass")
    # Re-show the list with the comment as typed and the error beside it.
    return _break_glass_page(request, failed_id=access_id, failed_form=form, status=400)


@require_GET
@managers_only
@require_fresh_second_factor
def export_csv(request):
    form, trail_filter = _filter_from(request)
    # Audited (and committed) before a single row leaves the building.
    with transaction.atomic():
        record_event(
            action=AuditAction.AUDIT_EXPORTED, actor=request.user, details={"filter": trail_filter.as_details()}
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        csv_lines(selectors.events_for_export(trail_filter, viewer=request.user)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@managers_only
def retention_review(request):
    from audit.retention import review_all

    with transaction.atomic():
        _record_view(request, "retention")
        reviews = review_all()
    return render(request, "audit/retention.html", {"reviews": reviews})
