"""Clients, confidentiality statements, limits-of-confidentiality records and sharing decisions.

The records a clinician relies on to show what a client was told and why information was
shared are append-only: ``LimitsRecord``, ``SharingDecision`` (with its ``ProtectedIdentity``
rows) and ``ClientInformedRecord`` declare ``append_only`` (audit.append_only), so PostgreSQL
refuses UPDATE, DELETE and TRUNCATE whatever the client. A correction or a change of mind is a
new row that points at the one it corrects or supersedes.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from audit.append_only import AppendOnly


class Client(models.Model):
    """A person a team works with. Only a local reference is required; a name is optional."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="clients")
    reference = models.CharField(max_length=60, help_text="The team's own client reference.")
    display_name = models.CharField(max_length=150, blank=True, help_text="Optional.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["team", "reference"], name="consent_client_unique_ref_per_team"),
        ]
        indexes = [
            # The queue's search finds a client's reference whatever its case (UPPER(reference) =
            # UPPER(term)); without this every search read every client.
            models.Index(Upper("reference"), name="consent_client_ref_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def pseudonym(self) -> str:
        """How the client is shown where a name is not needed."""
        return f"Client {self.reference}"


# --- Confidentiality statements ----------------------------------------------------------------


class ConfidentialityStatement(models.Model):
    """One version of the organisation's statement of the limits of confidentiality.

    Administrators write a draft, then publish it with an effective date. A published
    version is frozen (the service refuses; the database refuses any UPDATE or DELETE once
    ``published_at`` is set), because limits records point at it as proof of what a client was
    told.
    """

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="The statement as it is explained and given to clients.")
    effective_from = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    append_only = AppendOnly(draft_until="published_at")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                name="consent_statement_published_has_dates",
                condition=Q(published_at__isnull=True) | Q(effective_from__isnull=False, published_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.version}: {self.title}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


# --- Limits-of-confidentiality records ----------------------------------------------------------


class ExplanationMethod(models.TextChoices):
    SPOKEN = "spoken", "Spoken"
    WRITTEN = "written", "Written copy given"
    BOTH = "both", "Spoken and a written copy given"


class Understanding(models.TextChoices):
    UNDERSTOOD = "understood", "Understood"
    PARTLY = "partly", "Partly understood"
    NOT = "not", "Not understood"


class LimitsRecord(models.Model):
    """One explanation of the limits of confidentiality to a client (append-only).

    A revisit is a new record. A correction is a new record whose ``corrects`` points at the
    record it replaces; the corrected record stays, but no longer counts as the latest.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="limits_records")
    statement = models.ForeignKey(ConfidentialityStatement, on_delete=models.PROTECT, related_name="limits_records")
    explained_at = models.DateTimeField()
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=20, choices=ExplanationMethod.choices)
    interpreter_used = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=80, blank=True)
    present = models.CharField(
        max_length=300, blank=True, help_text="Who else was present, e.g. a parent, an advocate, the interpreter."
    )
    understanding = models.CharField(max_length=20, choices=Understanding.choices)
    understanding_notes = models.TextField(
        blank=True, help_text="The client's own words summarising the limits, their questions, and any plan."
    )
    review_on = models.DateField(null=True, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    correction_reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    append_only = AppendOnly()
    capture_row_changes = True

    class Meta:
        ordering = ["-explained_at", "-id"]
        indexes = [
            # The latest record per client: DISTINCT ON (client_id) ... ORDER BY client_id,
            # explained_at DESC, id DESC (client page, concern panel, "needs revisiting").
            models.Index(fields=["client", "-explained_at", "-id"], name="consent_limits_latest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="consent_limits_interpreter_language",
                condition=Q(interpreter_used=False) | ~Q(interpreter_language=""),
            ),
            models.CheckConstraint(
                name="consent_limits_correction_has_reason",
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Limits explained to {self.client} on {self.explained_at:%d %b %Y}"


# --- Lawful basis code lists ---------------------------------------------------------------------


class LawfulBasisKind(models.TextChoices):
    ARTICLE_6 = "article6", "UK GDPR Article 6 lawful basis"
    ARTICLE_9 = "article9", "UK GDPR Article 9 condition"
    COMMON_LAW = "common_law", "Common-law justification"


class LawfulBasisOption(models.Model):
    """A configurable entry in one of the lawful-basis code lists (seeded by migration 0004).

    Legislation changes; administrators maintain these lists in the Django admin. Options
    are retired (``active`` false), never deleted, because decisions point at them.
    """

    kind = models.CharField(max_length=20, choices=LawfulBasisKind.choices)
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=250)
    schedule1_paragraph = models.CharField(
        max_length=80, blank=True, help_text="For Article 9 conditions: the DPA 2018 Schedule 1 paragraph."
    )
    guidance = models.TextField(blank=True)
    safeguarding_default = models.BooleanField(
        default=False, help_text="Preselected on the sharing form (one per list)."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="consent_lawful_basis_unique_code"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(safeguarding_default=True), name="consent_lawful_basis_one_default"
            ),
        ]

    def __str__(self) -> str:
        if self.schedule1_paragraph:
            return f"{self.label} (DPA 2018 {self.schedule1_paragraph})"
        return self.label


# --- Information-sharing decisions ---------------------------------------------------------------


class Decision(models.TextChoices):
    SHARE = "share", "Share"
    SHARE_IN_PART = "share_in_part", "Share in part"
    NOT_SHARE = "not_share", "Do not share"


class ConsentStatus(models.TextChoices):
    GIVEN = "sought_given", "Consent sought and given"
    REFUSED = "sought_refused", "Consent sought and refused"
    NOT_SOUGHT = "not_sought", "Consent not sought"


class NotSoughtReason(models.TextChoices):
    RISK = "risk_to_person", "Asking would put a child or an adult at risk"
    PREJUDICE_CRIME = "prejudice_crime", "Asking would prejudice the prevention or detection of crime"
    NOT_IN_TIME = "not_in_time", "Not possible in the time available"
    LACKS_CAPACITY = "lacks_capacity", "The client lacks capacity to consent"
    OTHER = "other", "Other"


class SharedPart(models.TextChoices):
    """The parts of a concern a decision to share may include: what a referral pack is built from.

    Every field of a concern, its people, earlier reports, addenda and triage belongs to exactly
    one part (the pack builder in escalation holds that map), so "share in part" says precisely
    which fields may leave the organisation.
    """

    SUMMARY = "summary", "What the concern is about: the summary, its categories and when the abuse happened"
    CIRCUMSTANCES = "circumstances", "When and where it was disclosed or seen, and who was present"
    ACCOUNT = "account", "The person's account in their own words"
    OBSERVATIONS = "observations", "The clinician's observations"
    OPINION = "opinion", "The clinician's professional opinion"
    QUESTIONS = "questions", "What the clinician said or asked"
    PERSONS_AT_RISK = "persons_at_risk", "Who may be at risk: descriptions, names, ages, addresses, whereabouts"
    ALLEGED_IDENTITY = "alleged_identity", "Who the alleged person is: name, age, description, address, whereabouts"
    ALLEGED_ROLE = "alleged_role", "The alleged person's role, employer or approving body, and contact with children"
    DISCLOSER = "discloser", "Who disclosed, their wishes about the police and their identity, and support offered"
    CLIENT = "client", "The client's name and reference"
    REPORTER = "reporter", "The name of the clinician who raised the concern"
    PRIOR_REPORTS = "prior_reports", "Earlier reports and what is new since"
    ACTIONS = "actions", "Immediate danger, emergency action, action taken so far and who was consulted"
    ADDENDA = "addenda", "Later information added to the concern (addenda)"
    TRIAGE = "triage", "The lead's risk rating and decision, with the reasons"


SHARING_DECISIONS = [Decision.SHARE, Decision.SHARE_IN_PART]
# Sharing (in whole or in part) when consent was not sought and given.
WITHOUT_CONSENT = Q(decision__in=SHARING_DECISIONS) & ~Q(consent=ConsentStatus.GIVEN)


class SharingDecision(models.Model):
    """A decision to share, or not to share, information about a concern (append-only).

    Golden rule 7: record the decision and the reasons, whether it is to share or not; if
    sharing, what was shared, with whom and why. A change of mind is a new decision whose
    ``supersedes`` points at the old one.
    """

    concern = models.ForeignKey("concerns.Concern", on_delete=models.PROTECT, related_name="sharing_decisions")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    decided_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipients = models.TextField(blank=True, help_text="Who receives the information, and their role in safeguarding.")
    purpose = models.TextField(help_text="Why the information is (or is not) shared.")
    information_shared = models.TextField(blank=True, help_text="A copy of exactly what was shared.")
    transmission = models.CharField(max_length=200, blank=True, help_text="How it was sent, and how securely.")

    consent = models.CharField(max_length=20, choices=ConsentStatus.choices)
    refusal_reasons = models.TextField(blank=True, help_text="The client's reasons for refusing.")
    not_sought_reason = models.CharField(max_length=20, choices=NotSoughtReason.choices, blank=True)
    not_sought_other = models.CharField(max_length=300, blank=True)
    without_consent_justification = models.TextField(
        blank=True, help_text="Why sharing without consent is justified (the risk, weighed against confidentiality)."
    )

    article6_basis = models.ForeignKey(
        LawfulBasisOption,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": LawfulBasisKind.ARTICLE_6},
    )
    article9_condition = models.ForeignKey(
        LawfulBasisOption,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": LawfulBasisKind.ARTICLE_9},
    )
    common_law_basis = models.ForeignKey(
        LawfulBasisOption,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": LawfulBasisKind.COMMON_LAW},
    )

    necessity_proportionality = models.TextField(
        blank=True, help_text="Why sharing is necessary, and why this much and no more."
    )
    identities_to_protect = models.TextField(
        blank=True, help_text="e.g. the discloser's identity, from the alleged person."
    )
    # What may be shared, part by part (every part for "share"; the chosen ones for "share in
    # part"). Empty on decisions recorded before parts were asked, and on decisions not to share.
    shared_parts = ArrayField(
        models.CharField(max_length=30, choices=SharedPart.choices), default=list, db_default=[], blank=True
    )
    advice_taken = models.BooleanField(default=False)
    advice_from = models.CharField(max_length=300, blank=True)
    not_sharing_reasons = models.TextField(blank=True)
    review_on = models.DateField(null=True, blank=True)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    append_only = AppendOnly()
    capture_row_changes = True

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [
            # The concern page panel: WHERE concern_id = %s ORDER BY decided_at.
            models.Index(fields=["concern", "decided_at"], name="consent_sharing_concern_idx"),
        ]
        constraints = [
            # Sharing without consent needs a reason and a lawful basis (Article 6 and the
            # common-law justification). The form says so first; this is the last line.
            models.CheckConstraint(
                name="consent_sharing_without_consent_needs_reason_and_basis",
                condition=~WITHOUT_CONSENT
                | (
                    ~Q(without_consent_justification="")
                    & Q(article6_basis__isnull=False)
                    & Q(common_law_basis__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="consent_sharing_consent_reasons",
                condition=(
                    Q(consent=ConsentStatus.GIVEN)
                    | (Q(consent=ConsentStatus.REFUSED) & ~Q(refusal_reasons=""))
                    | (
                        Q(consent=ConsentStatus.NOT_SOUGHT)
                        & ~Q(not_sought_reason="")
                        & (~Q(not_sought_reason=NotSoughtReason.OTHER) | ~Q(not_sought_other=""))
                    )
                ),
            ),
            models.CheckConstraint(
                name="consent_sharing_not_share_reasons_and_review",
                condition=~Q(decision=Decision.NOT_SHARE) | (~Q(not_sharing_reasons="") & Q(review_on__isnull=False)),
            ),
            models.CheckConstraint(
                name="consent_sharing_records_what_and_whom",
                condition=Q(decision=Decision.NOT_SHARE) | (~Q(recipients="") & ~Q(information_shared="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.decided_at:%d %b %Y})"

    @property
    def is_without_consent(self) -> bool:
        return self.decision in SHARING_DECISIONS and self.consent != ConsentStatus.GIVEN

    @property
    def shared_part_labels(self) -> list[str]:
        return [SharedPart(code).label for code in SharedPart.values if code in self.shared_parts]

    @property
    def consent_summary(self) -> str:
        if self.consent == ConsentStatus.NOT_SOUGHT:
            reason = (
                self.not_sought_other
                if self.not_sought_reason == NotSoughtReason.OTHER
                else (self.get_not_sought_reason_display())
            )
            return f"Not sought: {reason}"
        return self.get_consent_display()


class ProtectedIdentity(models.Model):
    """A name or detail a decision to share protects, and the neutral words that replace it.

    Append-only, written with its decision. Anything built from the decision (a referral pack)
    replaces every way of writing it listed here, in every field and inside free text.
    """

    decision = models.ForeignKey(SharingDecision, on_delete=models.PROTECT, related_name="protected_identities")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200, help_text="The name or identifying detail as the record writes it.")
    other_forms = models.TextField(
        blank=True, help_text="Other ways it is written, one per line: a first name alone, a nickname, a maiden name."
    )
    replacement = models.CharField(max_length=200, help_text='Neutral words to use instead, e.g. "the discloser".')

    append_only = AppendOnly()
    capture_row_changes = True

    class Meta:
        ordering = ["decision", "position", "id"]
        verbose_name_plural = "protected identities"
        constraints = [
            models.CheckConstraint(
                name="consent_protected_identity_has_name_and_replacement",
                condition=~Q(name="") & ~Q(replacement=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Protected: replaced by {self.replacement!r}"

    @property
    def forms(self) -> list[str]:
        """Every way of writing it: the name first, then the other forms (blank lines dropped)."""
        seen: list[str] = []
        for form in [self.name, *self.other_forms.splitlines()]:
            form = " ".join(form.split())
            if form and form.casefold() not in {f.casefold() for f in seen}:
                seen.append(form)
        return seen


# --- Was the client told? ----------------------------------------------------------------------


class InformedStatus(models.TextChoices):
    BEFORE = "before", "Told before sharing"
    AFTER = "after", "Told after sharing"
    NOT_TOLD = "not_told", "Not told"


class NotToldReason(models.TextChoices):
    UNSAFE = "unsafe", "Telling the client would be unsafe"
    PREJUDICE = "prejudice_enquiry", "Telling the client would prejudice an enquiry"
    NOT_CONTACTABLE = "not_contactable", "The client cannot be contacted"
    OTHER = "other", "Other"


class ClientInformedRecord(models.Model):
    """Whether the client was told about the sharing (append-only; the latest one counts)."""

    concern = models.ForeignKey("concerns.Concern", on_delete=models.PROTECT, related_name="client_informed_records")
    status = models.CharField(max_length=20, choices=InformedStatus.choices)
    told_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=NotToldReason.choices, blank=True)
    reason_other = models.CharField(max_length=300, blank=True)
    review_on = models.DateField(null=True, blank=True)
    client_response = models.TextField(blank=True, help_text="The client's response or views, if told.")
    advised_by = models.CharField(
        max_length=300, blank=True, help_text="Who advised, e.g. the police asked us not to tell the client yet."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    append_only = AppendOnly()

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [
            # The concern page panel: the latest record WHERE concern_id = %s.
            models.Index(fields=["concern", "-recorded_at"], name="consent_informed_concern_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="consent_informed_not_told_reason_and_review",
                condition=~Q(status=InformedStatus.NOT_TOLD)
                | (~Q(reason="") & (~Q(reason=NotToldReason.OTHER) | ~Q(reason_other="")) & Q(review_on__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.get_status_display()

    @property
    def reason_text(self) -> str:
        return self.reason_other if self.reason == NotToldReason.OTHER else self.get_reason_display()
