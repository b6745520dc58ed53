"""Reads of concerns, including the access checks (404 for what the user may not see)."""

import uuid

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.selectors import covered_team_ids
from concerns.models import Addendum, AllegedPerson, Concern, ConcernDraft
from consent.selectors import clients_for_user

# Higher layers may grant further, time-limited access (escalation's break-glass) without this
# layer importing them: each registered provider returns a queryset of concern ids.
_extra_access_providers: list = []


def register_extra_access(provider) -> None:
    """Register ``provider(user) -> QuerySet of concern ids | None`` (called from AppConfig.ready)."""
    if provider not in _extra_access_providers:
        _extra_access_providers.append(provider)


def concerns_visible_to(user) -> QuerySet[Concern]:
    """Need to know: authors see their own; leads see the teams they cover.

    A concern about one of our own staff (AllegedPerson.staff_member) is hidden from that
    person whatever else they are, including a lead covering the team.
    """
    if not user.is_authenticated:
        return Concern.objects.none()
    visible = Q(reporter=user)
    if user.is_lead:
        team_ids = covered_team_ids(user)
        # An organisation-wide lead (None) covers every team. (An empty Q() would be dropped
        # from the OR and hide everything but their own reports.)
        visible |= Q(pk__isnull=False) if team_ids is None else Q(team_id__in=team_ids)
    for provider in _extra_access_providers:
        granted_ids = provider(user)
        if granted_ids is not None:
            visible |= Q(pk__in=granted_ids)
    about_them = AllegedPerson.objects.filter(concern=OuterRef("pk"), staff_member=user)
    return Concern.objects.filter(visible).exclude(Exists(about_them))


def excluded_people(concern: Concern) -> set[int]:
    """Ids of the people a concern must never reach: no page, list, count, message or alert.

    Today: staff named as an alleged person. Everything that notifies, lists or routes people
    for a concern (alerts, assignment, break-glass notices, rota choices) skips these ids.
    """
    return set(
        AllegedPerson.objects.filter(concern=concern, staff_member__isnull=False).values_list(
            "staff_member_id", flat=True
        )
    )


def excluded_people_by_concern(concern_ids) -> dict[int, frozenset[int]]:
    """``excluded_people`` for many concerns in one statement (a sweep batch's)."""
    barred: dict[int, set[int]] = {concern_id: set() for concern_id in concern_ids}
    rows = AllegedPerson.objects.filter(concern_id__in=barred, staff_member__isnull=False).values_list(
        "concern_id", "staff_member_id"
    )
    for concern_id, staff_member_id in rows:
        barred[concern_id].add(staff_member_id)
    return {concern_id: frozenset(ids) for concern_id, ids in barred.items()}


def is_about_staff(concern: Concern) -> bool:
    """Whether an alleged person is one of our own people: the allegations procedure (the LADO or
    designated officer) applies whatever the position-of-trust answer. Today: staff named as an
    alleged person at intake; a link recorded after submission counts too once it exists."""
    return AllegedPerson.objects.filter(concern=concern, staff_member__isnull=False).exists()


def get_concern_for_user(user, *, concern_id: int) -> Concern:
    try:
        return concerns_visible_to(user).select_related("team", "reporter", "client").get(pk=concern_id)
    except (Concern.DoesNotExist, ValueError, TypeError):
        raise Http404("No such concern.") from None


def concern_with_parts(concern: Concern) -> Concern:
    """Load everything the concern page shows, in a fixed number of queries."""
    return (
        Concern.objects.select_related("team", "reporter", "client", "acknowledged_by", "owner")
        .prefetch_related(
            "categories",
            "persons_at_risk",
            "alleged_persons",
            "prior_reports",
            Prefetch("addenda", queryset=Addendum.objects.select_related("author").order_by("created_at", "id")),
        )
        .get(pk=concern.pk)
    )


def concerns_reported_by(user) -> QuerySet[Concern]:
    """ "My concerns": newest first, with who acknowledged (constant queries per page)."""
    return (
        Concern.objects.filter(reporter=user).select_related("acknowledged_by", "team").order_by("-submitted_at", "-id")
    )


def drafts_of(user) -> QuerySet[ConcernDraft]:
    return ConcernDraft.objects.filter(author=user).order_by("-updated_at")


def get_draft_for_user(user, *, submission_key) -> ConcernDraft:
    """Drafts are their author's alone: anyone else gets 404."""
    try:
        return ConcernDraft.objects.get(author=user, submission_key=uuid.UUID(str(submission_key)))
    except (ConcernDraft.DoesNotExist, ValueError, TypeError):
        raise Http404("No such draft.") from None


def clients_for_intake(user):
    """Clients the user may file a concern about: those of their own teams (and teams they cover)."""
    return clients_for_user(user).order_by("team__name", "reference")
