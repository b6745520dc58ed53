"""Referral pack models (registered through escalation.models, so their app is ``escalation``).

A pack is built from one concern and one decision to share, under an agency template's
headings. Its text lives in revisions: revision 1 is what the portal drafted, each edit by a
lead is a new revision (append-only), so every edit is kept. Finalising stores the complete
print-ready document once, with its SHA-256; PostgreSQL refuses any change to it, and a check
constraint refuses a stored hash that is not the hash of the stored document.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Func, Q, Value

from audit.append_only import AppendOnly
from concerns.models import Jurisdiction
from consent.models import SharedPart
from escalation.models import Agency


class PackContent(models.TextChoices):
    """What the portal writes under a heading: a part of the concern, or one of the decision's facts.

    The parts are consent.SharedPart (left out unless the decision lets them go); the others
    are always written: why we refer (the decision's purpose), the consent position and
    lawful basis, and the referrer's details.
    """

    SUMMARY = SharedPart.SUMMARY.value, SharedPart.SUMMARY.label
    CIRCUMSTANCES = SharedPart.CIRCUMSTANCES.value, SharedPart.CIRCUMSTANCES.label
    ACCOUNT = SharedPart.ACCOUNT.value, SharedPart.ACCOUNT.label
    OBSERVATIONS = SharedPart.OBSERVATIONS.value, SharedPart.OBSERVATIONS.label
    OPINION = SharedPart.OPINION.value, SharedPart.OPINION.label
    QUESTIONS = SharedPart.QUESTIONS.value, SharedPart.QUESTIONS.label
    PERSONS_AT_RISK = SharedPart.PERSONS_AT_RISK.value, SharedPart.PERSONS_AT_RISK.label
    ALLEGED_IDENTITY = SharedPart.ALLEGED_IDENTITY.value, SharedPart.ALLEGED_IDENTITY.label
    ALLEGED_ROLE = SharedPart.ALLEGED_ROLE.value, SharedPart.ALLEGED_ROLE.label
    DISCLOSER = SharedPart.DISCLOSER.value, SharedPart.DISCLOSER.label
    CLIENT = SharedPart.CLIENT.value, SharedPart.CLIENT.label
    REPORTER = SharedPart.REPORTER.value, SharedPart.REPORTER.label
    PRIOR_REPORTS = SharedPart.PRIOR_REPORTS.value, SharedPart.PRIOR_REPORTS.label
    ACTIONS = SharedPart.ACTIONS.value, SharedPart.ACTIONS.label
    ADDENDA = SharedPart.ADDENDA.value, SharedPart.ADDENDA.label
    TRIAGE = SharedPart.TRIAGE.value, SharedPart.TRIAGE.label
    PURPOSE = "purpose", "Why we are referring (the sharing decision's purpose)"
    CONSENT = "consent", "The consent position, lawful basis and whether the client was told"
    REFERRER = "referrer", "The referrer's details (the lead writing the pack)"


class PackTemplate(models.Model):
    """An agency's usual headings for a referral, per nation (empty nation: any nation without its own).

    Data, edited in the admin; defaults are seeded by a migration. A pack copies the headings
    when it is built, so editing a template never changes a pack already drafted or sent.
    Templates are retired (``active`` false), never deleted once a pack used them.
    """

    agency = models.CharField(max_length=30, choices=Agency.choices)
    jurisdiction = models.CharField(
        max_length=20,
        choices=Jurisdiction.choices,
        blank=True,
        help_text="The nation this template is for; empty for every nation without a template of its own.",
    )
    title = models.CharField(max_length=200, help_text="The document's title, e.g. 'Referral to the LADO'.")
    introduction = models.TextField(blank=True, help_text="Printed under the title (optional).")
    source = models.CharField(max_length=300, blank=True, help_text="The procedure the headings follow.")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency", "jurisdiction"]
        constraints = [
            # The template for (agency, nation): WHERE agency = %s AND jurisdiction IN (%s, '') AND active.
            models.UniqueConstraint(
                fields=["agency", "jurisdiction"], condition=Q(active=True), name="pack_template_one_active"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PackHeading(models.Model):
    """One heading of a template, and what the portal writes under it."""

    template = models.ForeignKey(PackTemplate, on_delete=models.CASCADE, related_name="headings")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True, help_text="Shown to the lead while editing; never printed.")
    contents = ArrayField(
        models.CharField(max_length=30, choices=PackContent.choices),
        default=list,
        blank=True,
        help_text="What the portal fills in here; none leaves the heading for the lead to write.",
    )

    class Meta:
        ordering = ["template", "position", "id"]

    def __str__(self) -> str:
        return self.title


class ReferralPack(models.Model):
    """A referral pack: which concern, which decision, which agency. Its text is in its revisions.

    Append-only: what it was built from never changes. ``referral`` is the referral already made
    that this pack confirms in writing (a phoned referral), when the lead chose one.
    """

    concern = models.ForeignKey("concerns.Concern", on_delete=models.PROTECT, related_name="referral_packs")
    number = models.PositiveIntegerField(help_text="1, 2, 3... within the concern.")
    sharing_decision = models.ForeignKey("consent.SharingDecision", on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(PackTemplate, on_delete=models.PROTECT, related_name="packs")
    agency = models.CharField(max_length=30, choices=Agency.choices)
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    referral = models.ForeignKey(
        "escalation.ExternalReferral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    append_only = AppendOnly()
    capture_row_changes = True

    class Meta:
        ordering = ["concern", "number"]
        constraints = [
            models.UniqueConstraint(fields=["concern", "number"], name="referral_pack_number_per_concern"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Our reference for the document: the concern's, and the pack's number within it."""
        return f"{self.concern.reference}-P{self.number}"


class ReferralPackRevision(models.Model):
    """The pack's full text at one moment: revision 1 as drafted, then each edit. Append-only.

    ``sections`` is a list of {"heading", "guidance", "contents", "body"}.
    """

    pack = models.ForeignKey(ReferralPack, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    sections = models.JSONField()
    note = models.CharField(max_length=300, blank=True, help_text="What changed, in the lead's words.")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    append_only = AppendOnly()
    capture_row_changes = True

    class Meta:
        ordering = ["pack", "number"]
        constraints = [
            # Two leads saving on top of the same revision: the second insert fails and is told.
            models.UniqueConstraint(fields=["pack", "number"], name="referral_pack_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.pack_id} revision {self.number}"


def _sha256_hex_of(column: str) -> Func:
    """encode(sha256(convert_to(<column>, 'UTF8')), 'hex'): the hash PostgreSQL computes itself."""
    utf8 = Func(F(column), Value("UTF8"), function="convert_to")
    return Func(Func(utf8, function="sha256"), Value("hex"), function="encode")


class FinalReferralPack(models.Model):
    """What left the building: the exact document, its SHA-256, who finalised it and when.

    Append-only (no role may UPDATE or DELETE it). The print view and the download serve
    ``document`` byte for byte (UTF-8), so their SHA-256 is ``sha256``; a check constraint
    makes PostgreSQL refuse a row whose hash is not that of its document.
    """

    pack = models.OneToOneField(ReferralPack, on_delete=models.PROTECT, related_name="final")
    revision = models.ForeignKey(ReferralPackRevision, on_delete=models.PROTECT, related_name="+")
    sharing_decision = models.ForeignKey("consent.SharingDecision", on_delete=models.PROTECT, related_name="+")
    referral = models.OneToOneField(
        "escalation.ExternalReferral", on_delete=models.PROTECT, related_name="referral_pack"
    )
    document = models.TextField()
    sha256 = models.CharField(max_length=64)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalised_at = models.DateTimeField()

    append_only = AppendOnly()
    capture_row_changes = True

    class Meta:
        ordering = ["finalised_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256=_sha256_hex_of("document")), name="final_pack_hash_matches"),
        ]

    def __str__(self) -> str:
        return f"Final pack {self.pack_id}"
