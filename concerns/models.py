from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.append_only import AppendOnly
from concerns.validators import FREE_TEXT_LIMIT, bounded_char, bounded_text


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    SAME_DAY = "same_day", "Same day"
    ROUTINE = "routine", "Routine"


class Jurisdiction(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class ConcernStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted, awaiting acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    TRIAGED = "triaged", "Triaged"
    REFERRED = "referred", "Referred externally"
    MONITORING = "monitoring", "Advice and monitoring"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"


OPEN_STATUSES = [s for s in ConcernStatus.values if s != ConcernStatus.CLOSED]


def rank_of(column: str, values: list[str]) -> models.Case:
    """``column``'s position in ``values`` (unknown or blank last): the queue orders and filters
    by this expression, and its indexes are built on the very same expression."""
    return models.Case(
        *[models.When(**{column: value}, then=models.Value(position)) for position, value in enumerate(values)],
        default=models.Value(len(values)),
        output_field=models.SmallIntegerField(),
    )


# Most urgent, most advanced and most serious first. The risk ratings are escalation's
# (RiskRating), named here because the index on the concern table is declared here.
URGENCY_ORDER = [Urgency.IMMEDIATE, Urgency.SAME_DAY, Urgency.ROUTINE]
STATUS_ORDER = ["submitted", "reopened", "acknowledged", "triaged", "referred", "monitoring", "closed"]
RISK_ORDER = ["severe", "high", "medium", "low"]


def urgency_rank() -> models.Case:
    return rank_of("urgency", [str(u) for u in URGENCY_ORDER])


def status_rank() -> models.Case:
    return rank_of("status", STATUS_ORDER)


def risk_rank() -> models.Case:
    return rank_of("risk_rating", RISK_ORDER)


# Indexes of the lead's queue: a leading key, then the default order (earliest deadline).
QUEUE_INDEXES: dict[str, tuple] = {
    "concern_queue_urgency_idx": (urgency_rank(),),
    "concern_queue_status_idx": (status_rank(),),
    "concern_queue_risk_idx": (risk_rank(),),
    "concern_queue_team_idx": ("team",),
    "concern_queue_reporter_idx": ("reporter",),
    "concern_queue_owner_idx": ("owner",),
    "concern_queue_kind_idx": ("next_due_kind",),
    "concern_queue_nation_idx": ("jurisdiction",),
}
# Columns carried in a queue index besides its keys. The overdue counts by kind read the kind
# index up to now; with the visibility check's columns in it they never visit the table (the
# planner otherwise intersected it with every covered team's rows, 23 ms at 100k open concerns).
# The owner, team and nation filters' capped counts likewise (a named lead's took 14 ms at a
# million concerns, a team's 7, a nation's 5).
QUEUE_INDEX_INCLUDES: dict[str, tuple[str, ...]] = {
    "concern_queue_kind_idx": ("team", "reporter"),
    "concern_queue_owner_idx": ("team", "reporter"),
    "concern_queue_team_idx": ("reporter",),
    "concern_queue_nation_idx": ("team", "reporter"),
}

# The columns escalation services may change after submission; every other column of
# concerns_concern is submitted content, frozen by Concern.append_only. The runtime role may
# UPDATE these columns only (a column-level grant, from the same declaration).
WORKFLOW_COLUMNS = (
    "status",
    "owner_id",
    "acknowledged_at",
    "acknowledged_by_id",
    "closed_at",
    "next_due_at",
    "next_due_kind",
    "risk_rating",
)


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class ImmediateDanger(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "Unsure"


class EmergencyAction(models.TextChoices):
    CALLED_999 = "999", "Called 999"
    POLICE_101 = "police_101", "Called the police on 101"
    OUT_OF_HOURS = "out_of_hours", "Called out-of-hours social care (emergency duty team)"
    SOCIAL_CARE = "social_care", "Called children's or adult social care"
    NONE = "none", "No emergency call (say why below)"


class Setting(models.TextChoices):
    SESSION = "session", "In a session, in person"
    VIDEO = "video", "In a video session"
    PHONE = "phone", "On the phone"
    MESSAGE = "message", "In a message, letter or email"
    HOME_VISIT = "home_visit", "On a home visit"
    OTHER = "other", "Somewhere else"


class DiscloserType(models.TextChoices):
    # Who raised it, whoever it is about: the client telling of their own childhood abuse and of
    # risk to other children now has exactly one answer.
    CLIENT = "client", _("The client told me")
    THIRD_PARTY = "third_party", _("Someone else told me (a relative, a professional, a member of the public)")
    OBSERVATION = "observation", _("I saw or heard it myself")
    ANONYMOUS = "anonymous", _("An anonymous report")
    # Earlier answers, kept so concerns filed with them still read correctly; no longer offered.
    CLIENT_ABOUT_SELF = "client_self", "The client, about themselves"
    CLIENT_ABOUT_OTHERS = "client_others", "The client, about someone else"


OFFERED_DISCLOSER_TYPES = [
    DiscloserType.CLIENT,
    DiscloserType.THIRD_PARTY,
    DiscloserType.OBSERVATION,
    DiscloserType.ANONYMOUS,
]


class PoliceWishes(models.TextChoices):
    WANTS = "wants", "Wants a police report or investigation"
    DOES_NOT_WANT = "does_not_want", "Does not want a police report"
    UNDECIDED = "undecided", "Undecided"
    NOT_ASKED = "not_asked", "Not asked (say why in the notes)"


class IdentityWishes(models.TextChoices):
    SHARE = "share", "Agrees their identity may be shared"
    ANONYMOUS = "anonymous", "Wants to stay anonymous"
    UNDECIDED = "undecided", "Undecided"
    NOT_ASKED = "not_asked", "Not asked"


class Consulted(models.TextChoices):
    SUPERVISOR = "supervisor", "My supervisor"
    LEAD = "lead", "A safeguarding lead or deputy"
    NSPCC = "nspcc", "NSPCC helpline"
    CALDICOTT = "caldicott", "Caldicott guardian"
    COLLEAGUE = "colleague", "A colleague"
    OTHER = "other", "Someone else"


class Population(models.TextChoices):
    CHILD = "child", "Children"
    ADULT = "adult", "Adults at risk"
    BOTH = "both", "Children and adults"


# The category every nation's list has: "unclear or not yet known", for the lead to decide.
UNCLEAR_CATEGORY = "unclear"


class ConcernCategory(models.Model):
    """A code in the configurable lists of categories of abuse (seeded by a data migration)."""

    code = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=120)
    population = models.CharField(max_length=10, choices=Population.choices)
    nations = ArrayField(
        models.CharField(max_length=20, choices=Jurisdiction.choices),
        default=list,
        blank=True,
        help_text="Where this code applies; empty means every nation.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="The guidance the code comes from.")
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "label"]
        verbose_name_plural = "concern categories"

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        """The label with its list, since several lists share labels ("Physical abuse")."""
        if self.code == UNCLEAR_CATEGORY:
            return self.label
        who = {"child": "children", "adult": "adults", "both": "children and adults"}[self.population]
        where = ", ".join(Jurisdiction(n).label for n in self.nations if n in Jurisdiction.values)
        return f"{self.label} ({who}{', ' + where if where else ''})"


class Concern(models.Model):
    """A submitted safeguarding concern.

    The submitted content is immutable (services, and ``append_only`` in PostgreSQL); later information
    goes into addenda. The lead's workflow fields (status, owner, acknowledgement, closure)
    are changed only by escalation services, with compare-and-set on ``status``.
    """

    reference = models.CharField(max_length=20, unique=True, help_text="e.g. SG-2026-000123")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="concerns")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_concerns")
    client = models.ForeignKey(
        "consent.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices)
    submitted_at = models.DateTimeField()
    # The client's request key: a retried or doubled submit finds the concern it already made.
    submission_key = models.UUIDField(unique=True)

    # Workflow, written by escalation services.
    status = models.CharField(max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.SUBMITTED)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_concerns"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The earliest due time among the concern's open deadlines, kept by a database trigger on
    # the clock engine's deadline table (escalation migration 0006), so the lead's queue can
    # read its order from an index instead of computing it for every open concern.
    next_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The kind of that earliest deadline (an alerts ObligationKind), kept by the same trigger:
    # the queue names the deadline it counts down to and filters by it from an index.
    next_due_kind = models.CharField(max_length=40, blank=True, default="", editable=False)
    # The latest triage's risk rating (an escalation RiskRating), kept by a trigger on the
    # triage table (escalation migrations), so the queue sorts and filters by it from an index.
    risk_rating = models.CharField(max_length=20, blank=True, default="", editable=False)

    # --- Submitted content: never updated (services, and ``append_only`` below).
    immediate_danger = models.CharField(max_length=10, choices=ImmediateDanger.choices)
    emergency_action = models.CharField(max_length=20, choices=EmergencyAction.choices, blank=True)
    emergency_action_notes = bounded_text(
        FREE_TEXT_LIMIT, help_text="What was done, when, any reference; or why no call."
    )
    # Danger "yes" makes the concern immediate unless the clinician says why not (the police
    # are already there, say): the submit service applies the rule and keeps the reason.
    not_immediate_reason = bounded_text(FREE_TEXT_LIMIT)
    # When the disclosure or observation happened: a date, or words such as "summer 2019".
    occurred_on = models.DateField(null=True, blank=True)
    occurred_on_text = bounded_char(100)
    occurred_on_approximate = models.BooleanField(default=False)
    occurred_time = models.TimeField(null=True, blank=True, help_text="The time of the disclosure, if known.")
    location = bounded_char(200)
    setting = models.CharField(max_length=20, choices=Setting.choices, blank=True)
    setting_detail = bounded_char(200)
    people_present = bounded_text(FREE_TEXT_LIMIT)
    non_recent = models.BooleanField(default=False, help_text="The abuse described happened in the past.")
    abuse_period = bounded_char(200, help_text='When the abuse happened, e.g. "childhood, about 1995 to 1999".')
    summary = bounded_text(500)
    categories = models.ManyToManyField(ConcernCategory, related_name="concerns")
    # The codes of those categories, copied onto the row when it is written (their order, then
    # code): the queue's category filter reads them from an index of the open concerns
    # (concern_queue_category_idx), where a search of the links also hashed every closed
    # concern's. The links stay the record and keep their nation guard; both are frozen with the
    # content, so the copy cannot drift.
    category_codes = ArrayField(models.CharField(max_length=60), default=list, blank=True, editable=False)
    # Not asked on the short path: blank means not recorded.
    discloser_type = models.CharField(max_length=20, choices=DiscloserType.choices, blank=True)
    discloser_police_wishes = models.CharField(max_length=20, choices=PoliceWishes.choices, blank=True)
    discloser_identity_wishes = models.CharField(max_length=20, choices=IdentityWishes.choices, blank=True)
    discloser_notes = bounded_text(FREE_TEXT_LIMIT)
    support_offered = bounded_text(FREE_TEXT_LIMIT)
    # The account, kept apart: the person's words, what the clinician saw, what the clinician thinks.
    own_words = bounded_text(FREE_TEXT_LIMIT)
    observations = bounded_text(FREE_TEXT_LIMIT)
    opinion = bounded_text(FREE_TEXT_LIMIT)
    questions_asked = bounded_text(FREE_TEXT_LIMIT)
    actions_taken = bounded_text(FREE_TEXT_LIMIT)
    consulted = ArrayField(models.CharField(max_length=20, choices=Consulted.choices), default=list, blank=True)
    consultation_notes = bounded_text(FREE_TEXT_LIMIT)

    # Only the workflow columns ever change; the category links are frozen with the content.
    append_only = AppendOnly(updatable=WORKFLOW_COLUMNS)
    capture_row_changes = True

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            # "My concerns": WHERE reporter_id = %s ORDER BY submitted_at DESC.
            models.Index(fields=["reporter", "-submitted_at"], name="concern_reporter_idx"),
            # The lead's queue: open concerns of covered teams.
            models.Index(
                fields=["team", "status"],
                name="concern_open_team_idx",
                condition=~models.Q(status="closed"),
            ),
            # The lead's queue: WHERE status IN (open statuses) ORDER BY next_due_at NULLS LAST,
            # submitted_at, id LIMIT 50 reads the first page straight from this index.
            models.Index(
                models.F("next_due_at").asc(nulls_last=True),
                "submitted_at",
                "id",
                name="concern_queue_order_idx",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # The queue's other orders and filters (escalation.selectors.queue_for_lead): each
            # reads its first page from an index of the open concerns, whatever their number.
            *[
                models.Index(
                    *leading,
                    models.F("next_due_at").asc(nulls_last=True),
                    "submitted_at",
                    "id",
                    name=name,
                    include=QUEUE_INDEX_INCLUDES.get(name, ()),
                    condition=models.Q(status__in=OPEN_STATUSES),
                )
                for name, leading in QUEUE_INDEXES.items()
            ],
            models.Index(
                "submitted_at", "id", name="concern_queue_received_idx", condition=models.Q(status__in=OPEN_STATUSES)
            ),
            # The "unassigned" filter. Every unowned concern is open, which per-column statistics
            # cannot know: at a million concerns the planner expected a tenth of the unowned open
            # concerns, so it fetched them all through the owner index and sorted them (14 ms)
            # instead of walking them in order. This index holds only them, in the queue's order.
            models.Index(
                models.F("next_due_at").asc(nulls_last=True),
                "submitted_at",
                "id",
                name="concern_queue_unowned_idx",
                condition=models.Q(status__in=OPEN_STATUSES, owner__isnull=True),
            ),
            # By reference: the unique index holds closed concerns too, and with nine in ten
            # closed (the oldest, first in reference order) the walk read them all (1.1 s).
            models.Index(
                fields=["reference"], name="concern_queue_reference_idx", condition=models.Q(status__in=OPEN_STATUSES)
            ),
            # The queue's counts per status: an index-only scan holds every column its
            # visibility check reads, so counting up to the cap never visits the table.
            models.Index(
                fields=["status"],
                include=["team", "reporter", "id"],
                name="concern_open_status_count_idx",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # The queue's category filter, category_codes @> ARRAY[code]: only open concerns,
            # so a count up to the cap for one category reads no closed one. "IS NOT NULL" (the
            # column never is) keeps it to that filter: @> implies it, a query without a category
            # does not. With the open statuses alone, the planner used a scan of the whole index
            # as a list of open concerns, and a team's count at a million concerns took 22 ms.
            GinIndex(
                fields=["category_codes"],
                name="concern_queue_category_idx",
                condition=models.Q(status__in=OPEN_STATUSES, category_codes__isnull=False),
            ),
            # Closed concerns, newest closure first, within a date range.
            models.Index(
                models.F("closed_at").desc(), "id", name="concern_closed_idx", condition=models.Q(status="closed")
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("concerns:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != ConcernStatus.CLOSED

    @property
    def consulted_labels(self) -> list[str]:
        return [Consulted(code).label for code in self.consulted if code in Consulted.values]

    @property
    def needs_emergency_action(self) -> bool:
        return self.immediate_danger in (ImmediateDanger.YES, ImmediateDanger.UNSURE)


class IdentityStatus(models.TextChoices):
    KNOWN = "known", "Known"
    PARTLY_KNOWN = "partly_known", "Partly known"
    UNKNOWN = "unknown", "Not known"


class PersonAtRiskKind(models.TextChoices):
    CHILD = "child", "Child"
    ADULT_AT_RISK = "adult_at_risk", "Adult at risk"
    UNBORN = "unborn", "Unborn baby"


class PersonAtRisk(models.Model):
    """Someone who may be at risk. No identifying field is required: "unknown" is always allowed."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="persons_at_risk")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=PersonAtRiskKind.choices)
    identity = models.CharField(max_length=20, choices=IdentityStatus.choices, default=IdentityStatus.UNKNOWN)
    description = bounded_text(FREE_TEXT_LIMIT, help_text='e.g. "children placed with the foster carer".')
    name = bounded_char(150)
    date_of_birth = models.DateField(null=True, blank=True)
    approximate_age = bounded_char(50)
    address = bounded_text(FREE_TEXT_LIMIT)
    school_or_gp = bounded_char(200)
    relationship_to_alleged = bounded_char(200)
    whereabouts = bounded_text(FREE_TEXT_LIMIT, help_text="Where they are now and whether they are safe.")
    looked_after = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)

    append_only = AppendOnly()

    class Meta:
        ordering = ["concern", "position", "id"]

    def __str__(self) -> str:
        return self.name or self.description[:60] or self.get_kind_display()


class AllegedRole(models.TextChoices):
    FOSTER_CARER = "foster_carer", "Foster carer"
    ADOPTER_OR_KINSHIP = "kinship_carer", "Adoptive, kinship or special guardianship carer"
    CHILDMINDER = "childminder", "Childminder or nursery worker"
    TEACHER = "teacher", "Teacher or school staff"
    HEALTH = "health", "Health professional"
    SOCIAL_CARE = "social_care", "Social care worker"
    CARE_WORKER = "care_worker", "Care worker for adults"
    YOUTH_SPORTS = "youth_sports", "Youth, sports or activity leader"
    FAITH = "faith", "Faith leader or faith group worker"
    VOLUNTEER = "volunteer", "Volunteer"
    OTHER = "other", "Other"


class AllegedPerson(models.Model):
    """The person who is alleged to have caused harm. Every identifying field is optional."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="alleged_persons")
    position = models.PositiveSmallIntegerField(default=0)
    identity = models.CharField(max_length=20, choices=IdentityStatus.choices, default=IdentityStatus.UNKNOWN)
    name = bounded_char(150)
    date_of_birth = models.DateField(null=True, blank=True)
    approximate_age = bounded_char(50)
    description = bounded_text(FREE_TEXT_LIMIT)
    address = bounded_text(FREE_TEXT_LIMIT)
    relationship = bounded_char(200, help_text="To the person at risk and to the discloser.")
    whereabouts = bounded_text(FREE_TEXT_LIMIT)
    contact_with_children = models.CharField(max_length=10, choices=YesNoUnknown.choices, default="unknown")
    position_of_trust = models.CharField(
        max_length=10,
        choices=YesNoUnknown.choices,
        default="unknown",
        help_text="Works, volunteers or cares for children or adults at risk.",
    )
    role = models.CharField(max_length=20, choices=AllegedRole.choices, blank=True)
    role_detail = bounded_char(200)
    employer_or_approving_body = bounded_char(200)
    work_area = bounded_char(200, help_text="The local authority area where they work or are approved.")
    works_with_adults_at_risk = models.CharField(max_length=10, choices=YesNoUnknown.choices, default="unknown")
    deceased = models.BooleanField(default=False)
    # "Do they work or volunteer here?" Yes names them through the type-ahead (staff_member) or,
    # when they cannot be found there, describes them (staff_not_found): either way the concern
    # is about one of our own people (selectors.is_about_staff).
    works_here = models.CharField(max_length=10, choices=YesNoUnknown.choices, default="unknown")
    staff_not_found = bounded_char(200, help_text="Works here, but could not be found in the list: who they are.")
    # Set when the alleged person is one of our own staff: they must never see the concern.
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    append_only = AppendOnly()

    class Meta:
        ordering = ["concern", "position", "id"]
        indexes = [
            # concerns_visible_to(): NOT EXISTS (... WHERE staff_member_id = %s AND concern_id = ...).
            models.Index(
                fields=["staff_member", "concern"],
                name="alleged_staff_idx",
                condition=models.Q(staff_member__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.description[:60] or "Alleged person (not known)"


class OtherPersonRole(models.TextChoices):
    HOUSEHOLD = "household", _("Lives in the alleged person's household")
    CO_CARER = "co_carer", _("Cares for the children too (for example a partner who also fosters)")
    OTHER_CARER = "other_carer", _("Another carer or professional involved")
    OTHER = "other", _("Someone else involved")


class OtherPerson(models.Model):
    """Someone else involved who is neither at risk nor alleged: a household member of the alleged
    person, a partner who also fosters, another carer. Every identifying field is optional."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="other_people")
    position = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(max_length=20, choices=OtherPersonRole.choices)
    name = bounded_char(150)
    relationship = bounded_char(200, help_text="To the alleged person and to the person at risk.")
    description = bounded_text(FREE_TEXT_LIMIT)
    contact_with_children = models.CharField(max_length=10, choices=YesNoUnknown.choices, default="unknown")

    append_only = AppendOnly()

    class Meta:
        ordering = ["concern", "position", "id"]
        verbose_name_plural = "other people involved"

    def __str__(self) -> str:
        return self.name or self.get_role_display()


class StaffLink(models.Model):
    """An alleged person identified as one of our own people after submission, by a lead.

    The submitted alleged person never changes (append-only): the identification is a record of
    its own, saying who made it, when and why. From its commit the concern is hidden from that
    person exactly as if intake had named them (``concerns.selectors.concern_ids_hidden_from``).
    """

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="staff_links")
    alleged_person = models.ForeignKey(AllegedPerson, on_delete=models.PROTECT, related_name="staff_links")
    staff_member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = bounded_text(1000, blank=False)
    linked_at = models.DateTimeField(db_default=Now())

    append_only = AppendOnly()
    capture_row_changes = True

    class Meta:
        ordering = ["concern", "linked_at", "id"]
        constraints = [
            # One account per alleged person: a second identification would be a contradiction.
            models.UniqueConstraint(fields=["alleged_person"], name="staff_link_one_per_alleged_person"),
        ]
        indexes = [
            # concern_ids_hidden_from(): SELECT concern_id ... WHERE staff_member_id = %s.
            models.Index(fields=["staff_member", "concern"], name="staff_link_member_idx"),
        ]

    def __str__(self) -> str:
        return f"Alleged person {self.alleged_person_id} identified as user {self.staff_member_id}"


class ConflictOfInterest(models.Model):
    """A lead or deputy's declaration that they must not work on, or see, a concern (a relative,
    a friend). Hidden from them from its commit, as a concern about them would be."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="conflicts_of_interest")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = bounded_text(1000, blank=False)
    declared_at = models.DateTimeField(db_default=Now())

    append_only = AppendOnly()
    capture_row_changes = True

    class Meta:
        ordering = ["concern", "declared_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["concern", "person"], name="conflict_one_per_person_and_concern"),
        ]
        indexes = [
            # concern_ids_hidden_from(): SELECT concern_id ... WHERE person_id = %s.
            models.Index(fields=["person", "concern"], name="conflict_person_idx"),
        ]

    def __str__(self) -> str:
        return f"Conflict of interest of user {self.person_id} on concern {self.concern_id}"


class PriorRecipient(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "csc", "Children's social care"
    ADULT_SOCIAL_CARE = "asc", "Adult social care"
    POLICE = "police", "Police"
    LADO = "lado", "LADO or designated officer"
    NSPCC = "nspcc", "NSPCC"
    SCHOOL = "school", "School"
    HEALTH = "health", "GP or health service"
    OTHER = "other", "Someone else"
    UNKNOWN = "unknown", "Not known"


class PriorReportMaker(models.TextChoices):
    CLIENT = "client", "The client"
    CLINICIAN = "clinician", "Me or a colleague"
    OTHER = "other", "Someone else"
    UNKNOWN = "unknown", "Not known"


class PriorReport(models.Model):
    """An earlier report of the same matter, and what is new since it."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="prior_reports")
    position = models.PositiveSmallIntegerField(default=0)
    recipient = models.CharField(max_length=20, choices=PriorRecipient.choices, default="unknown")
    recipient_detail = bounded_char(200, help_text="Which office or area, if known.")
    made_by = models.CharField(max_length=20, choices=PriorReportMaker.choices, default="unknown")
    reported_on = models.DateField(null=True, blank=True)
    reported_on_text = bounded_char(100)
    reported_on_approximate = models.BooleanField(default=False)
    reference = bounded_char(100)
    outcome = bounded_text(FREE_TEXT_LIMIT)
    new_since = bounded_text(FREE_TEXT_LIMIT, help_text="What is new since that report.")

    append_only = AppendOnly()

    class Meta:
        ordering = ["concern", "position", "id"]

    def __str__(self) -> str:
        return f"Earlier report to {self.get_recipient_display()}"


class AddendumSection(models.TextChoices):
    """The part of the record an addendum adds to: the intake's "add more detail" sections, so
    what was not known at submission is filed later under the same heading."""

    ALLEGED = "alleged", _("The alleged person")
    OTHER_PEOPLE = "other_people", _("Other people involved")
    WHEN = "when", _("When and where")
    DISCLOSER = "discloser", _("Who raised the concern")
    CATEGORIES = "categories", _("Categories and summary")
    ACCOUNT = "account", _("More of the account")
    PRIOR = "prior", _("Earlier reports")
    ACTIONS = "actions", _("Actions and advice")
    CORRECTION = "correction", _("A correction")


class Addendum(models.Model):
    """Later information or a correction. Append-only; shown in order."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    section = models.CharField(max_length=20, choices=AddendumSection.choices, blank=True)
    text = bounded_text(FREE_TEXT_LIMIT, blank=False)

    append_only = AppendOnly()
    capture_row_changes = True

    class Meta:
        ordering = ["concern", "created_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.concern_id} by {self.author_id}"


class ConcernDraft(models.Model):
    """What a clinician has typed so far, saved as they type. Visible to its author only."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concern_drafts")
    # The key the submitted concern will carry, so a draft submitted twice makes one concern.
    submission_key = models.UUIDField(unique=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            # "You have an unfinished draft": WHERE author_id = %s ORDER BY updated_at DESC.
            models.Index(fields=["author", "-updated_at"], name="concern_draft_author_idx"),
        ]

    def __str__(self) -> str:
        return f"Draft {self.submission_key} by {self.author_id}"


class Advocacy(models.TextChoices):
    HAS_ADVOCATE = "has_advocate", "Has an advocate or someone to support them"
    NEEDS_ADVOCATE = "needs_advocate", "May need an independent advocate"
    NOT_NEEDED = "not_needed", "Does not need one"
    UNKNOWN = "unknown", "Not known"


def _yes_no_unknown(verbose_name: str):
    # Blank means "not answered": the criteria are asked, never required.
    return models.CharField(verbose_name, max_length=10, choices=YesNoUnknown.choices, blank=True)


class AdultAtRiskDetails(models.Model):
    """The adult at risk: the nation's statutory criteria as plain answers, and their views,
    capacity, communication and advocacy (see ``concerns.nations`` for the questions by nation).

    Only the concern's nation's criteria are answered; none is required.
    """

    concern = models.OneToOneField(Concern, on_delete=models.PROTECT, related_name="adult_at_risk")
    # England (Care Act 2014 s.42) and Wales (SSWBA 2014 s.126): the three limbs.
    care_and_support_needs = _yes_no_unknown("has needs for care and support")
    abuse_or_neglect = _yes_no_unknown("experiencing or at risk of abuse or neglect")
    unable_to_protect_self = _yes_no_unknown("unable to protect themselves because of those needs")
    # Scotland (ASP (Scotland) Act 2007 s.3): the three-point test.
    unable_to_safeguard = _yes_no_unknown("unable to safeguard own well-being, property, rights or interests")
    at_risk_of_harm = _yes_no_unknown("at risk of harm")
    more_vulnerable = _yes_no_unknown("more vulnerable because of disability, mental disorder, illness or infirmity")
    # Northern Ireland: adult at risk of harm / adult in need of protection.
    harm_risk_increased = _yes_no_unknown("exposure to harm increased by personal characteristics or circumstances")
    unable_to_protect_interests = _yes_no_unknown("unable to protect own well-being, property, assets or rights")
    harm_by_another = _yes_no_unknown("action or inaction of another person causing or likely to cause harm")
    # Making Safeguarding Personal: what the adult wants, and whether they know.
    views_and_wishes = bounded_text(FREE_TEXT_LIMIT, help_text="The adult's views, wishes and the outcomes they want.")
    knows_of_concern = _yes_no_unknown("the adult knows of this concern")
    not_told_reason = bounded_text(FREE_TEXT_LIMIT, help_text="Why the adult does not know, if they do not.")
    capacity_doubt = _yes_no_unknown("reason to doubt capacity about this decision")
    capacity_notes = bounded_text(FREE_TEXT_LIMIT)
    communication_needs = bounded_text(FREE_TEXT_LIMIT)
    advocacy = models.CharField(max_length=20, choices=Advocacy.choices, blank=True)
    advocacy_notes = bounded_text(FREE_TEXT_LIMIT)

    append_only = AppendOnly()

    class Meta:
        verbose_name = "adult-at-risk details"
        verbose_name_plural = "adult-at-risk details"

    def __str__(self) -> str:
        return f"Adult at risk, concern {self.concern_id}"
