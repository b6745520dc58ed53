"""Drafting a referral pack: which part of the concern each field belongs to, and the sections.

Only what the decision allows leaves: every field of a concern, its people at risk, alleged
persons, earlier reports, addenda and triage belongs to exactly one consent.SharedPart (the maps
below), and a part is written only when the decision lists it. Fields that are never shared (the
portal's own bookkeeping) are listed too, so that a field added to a model without a part is
caught by the tests instead of silently leaving or silently vanishing. Every protected identity
is then replaced by its neutral words, in every section, free text included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import User
from accounts.roles import Role
from concerns import nations
from concerns.models import AdultAtRiskDetails, AllegedPerson, Concern, PersonAtRisk, PriorReport
from consent.models import ClientInformedRecord, SharedPart, SharingDecision
from escalation.models import TriageRecord
from escalation.packs.identities import Redactor
from escalation.packs.models import PackContent, PackTemplate

P = SharedPart

# --- Which part each field belongs to ----------------------------------------------------------

CONCERN_FIELD_PARTS: dict[str, SharedPart] = {
    "summary": P.SUMMARY,
    "categories": P.SUMMARY,
    "non_recent": P.SUMMARY,
    "abuse_period": P.SUMMARY,
    "occurred_on": P.CIRCUMSTANCES,
    "occurred_on_text": P.CIRCUMSTANCES,
    "occurred_on_approximate": P.CIRCUMSTANCES,
    "occurred_time": P.CIRCUMSTANCES,
    "location": P.CIRCUMSTANCES,
    "setting": P.CIRCUMSTANCES,
    "setting_detail": P.CIRCUMSTANCES,
    "people_present": P.CIRCUMSTANCES,
    "own_words": P.ACCOUNT,
    "observations": P.OBSERVATIONS,
    "opinion": P.OPINION,
    "questions_asked": P.QUESTIONS,
    "discloser_type": P.DISCLOSER,
    "discloser_police_wishes": P.DISCLOSER,
    "discloser_identity_wishes": P.DISCLOSER,
    "discloser_notes": P.DISCLOSER,
    "support_offered": P.DISCLOSER,
    "immediate_danger": P.ACTIONS,
    "emergency_action": P.ACTIONS,
    "emergency_action_notes": P.ACTIONS,
    "not_immediate_reason": P.ACTIONS,
    "actions_taken": P.ACTIONS,
    "consulted": P.ACTIONS,
    "consultation_notes": P.ACTIONS,
    "client": P.CLIENT,
    "reporter": P.REPORTER,
}
# The portal's bookkeeping and workflow: never written into a pack (the reference is, as ours).
CONCERN_NEVER_SHARED = frozenset(
    {
        "id",
        "reference",
        "team",
        "urgency",
        "jurisdiction",
        "submitted_at",
        "submission_key",
        "status",
        "acknowledged_at",
        "acknowledged_by",
        "owner",
        "closed_at",
        "next_due_at",
        "next_due_kind",
        "risk_rating",
        # The queue's copy of the categories' codes: the pack writes the categories themselves.
        "category_codes",
    }
)
ALLEGED_FIELD_PARTS: dict[str, SharedPart] = {
    "identity": P.ALLEGED_IDENTITY,
    "name": P.ALLEGED_IDENTITY,
    "date_of_birth": P.ALLEGED_IDENTITY,
    "approximate_age": P.ALLEGED_IDENTITY,
    "description": P.ALLEGED_IDENTITY,
    "address": P.ALLEGED_IDENTITY,
    "relationship": P.ALLEGED_IDENTITY,
    "whereabouts": P.ALLEGED_IDENTITY,
    "deceased": P.ALLEGED_IDENTITY,
    "contact_with_children": P.ALLEGED_ROLE,
    "position_of_trust": P.ALLEGED_ROLE,
    "role": P.ALLEGED_ROLE,
    "role_detail": P.ALLEGED_ROLE,
    "employer_or_approving_body": P.ALLEGED_ROLE,
    "work_area": P.ALLEGED_ROLE,
    "works_with_adults_at_risk": P.ALLEGED_ROLE,
    "works_here": P.ALLEGED_ROLE,
    "staff_not_found": P.ALLEGED_IDENTITY,
}
# Our own staff member's account: internal, never sent.
ALLEGED_NEVER_SHARED = frozenset({"id", "concern", "position", "staff_member"})
PART_NEVER_SHARED = frozenset({"id", "concern", "position"})
# The adult at risk's criteria, views, capacity and advocacy: part of the people at risk.
ADULT_AT_RISK_FIELD_PARTS: dict[str, SharedPart] = {name: P.PERSONS_AT_RISK for name in nations.ADULT_INPUT_FIELDS}
ADULT_AT_RISK_NEVER_SHARED = frozenset({"id", "concern"})
PERSON_AT_RISK_PART = P.PERSONS_AT_RISK
PRIOR_REPORT_PART = P.PRIOR_REPORTS
# Other people involved (the alleged person's household, other carers) go with the alleged
# person's identity: shared, or withheld, with it.
OTHER_PERSON_PART = P.ALLEGED_IDENTITY
ADDENDUM_PART = P.ADDENDA
TRIAGE_PART = P.TRIAGE

# Written under a heading whose contents the decision withholds entirely.
NOT_SHARED_TEXT = gettext_noop("Not included: the information-sharing decision does not allow it.")
NOT_RECORDED_TEXT = gettext_noop("Not recorded.")


# --- What the builder reads ---------------------------------------------------------------------


@dataclass
class PackSource:
    """Everything a pack is drafted from, read once."""

    concern: Concern
    decision: SharingDecision
    referrer: User
    persons: list[PersonAtRisk] = field(default_factory=list)
    alleged: list[AllegedPerson] = field(default_factory=list)
    prior_reports: list[PriorReport] = field(default_factory=list)
    other_people: list = field(default_factory=list)
    addenda: list = field(default_factory=list)
    triage: TriageRecord | None = None
    client_informed: ClientInformedRecord | None = None
    categories: list[str] = field(default_factory=list)
    adult_at_risk: AdultAtRiskDetails | None = None

    @classmethod
    def load(cls, *, concern: Concern, decision: SharingDecision, referrer: User) -> PackSource:
        return cls(
            concern=concern,
            decision=decision,
            referrer=referrer,
            persons=list(concern.persons_at_risk.order_by("position", "id")),
            alleged=list(concern.alleged_persons.order_by("position", "id")),
            prior_reports=list(concern.prior_reports.order_by("position", "id")),
            other_people=list(concern.other_people.order_by("position", "id")),
            addenda=list(concern.addenda.order_by("created_at", "id")),
            triage=concern.triage_records.order_by("-id").first(),
            client_informed=concern.client_informed_records.order_by("-recorded_at", "-id").first(),
            categories=[c.label for c in concern.categories.order_by("order", "label")],
            adult_at_risk=AdultAtRiskDetails.objects.filter(concern=concern).first(),
        )

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.decision.shared_parts)


# --- Writing each part as text ---------------------------------------------------------------


def _day(value) -> str:
    return formats.date_format(value, "j F Y") if value else ""


def _line(label, value) -> str:
    """ "Label: value", or the label on its own line above a long or multi-line value."""
    text = str(value or "").strip()
    if not text:
        return ""
    if "\n" in text or len(text) > 90:
        return f"{label}:\n{text}"
    return f"{label}: {text}"


def _join(lines: Iterable[str]) -> str:
    return "\n".join(line for line in lines if line)


def _blocks(blocks: Iterable[str]) -> str:
    return "\n\n".join(block for block in blocks if block)


def _summary(source: PackSource) -> str:
    concern = source.concern
    return _join(
        [
            _line(_("Summary"), concern.summary),
            _line(_("Categories"), ", ".join(source.categories)),
            _line(_("Non-recent abuse"), concern.abuse_period or _("yes")) if concern.non_recent else "",
        ]
    )


def _circumstances(source: PackSource) -> str:
    concern = source.concern
    when = "; ".join(
        part
        for part in (
            _day(concern.occurred_on)
            + (concern.occurred_time.strftime(" %H:%M") if concern.occurred_time else "")
            + (_(" (approximate)") if concern.occurred_on_approximate else "")
            if concern.occurred_on
            else "",
            concern.occurred_on_text,
        )
        if part
    )
    setting = concern.get_setting_display() if concern.setting else ""
    if concern.setting_detail:
        setting = f"{setting}: {concern.setting_detail}" if setting else concern.setting_detail
    return _join(
        [
            _line(_("When it was disclosed or seen"), when),
            _line(_("Where"), concern.location),
            _line(_("Setting"), setting),
            _line(_("Who was present"), concern.people_present),
        ]
    )


def _text_of(label, attribute: str) -> Callable[[PackSource], str]:
    def write(source: PackSource) -> str:
        return _line(label, getattr(source.concern, attribute))

    return write


def _persons(source: PackSource) -> str:
    blocks = []
    for number, person in enumerate(source.persons, start=1):
        blocks.append(
            _join(
                [
                    _("Person at risk %(number)s: %(kind)s; identity %(identity)s")
                    % {
                        "number": number,
                        "kind": person.get_kind_display(),
                        "identity": person.get_identity_display().lower(),
                    },
                    _line(_("Description"), person.description),
                    _line(_("Name"), person.name),
                    _line(_("Date of birth"), _day(person.date_of_birth)),
                    _line(_("Age"), person.approximate_age),
                    _line(_("Address"), person.address),
                    _line(_("School or GP"), person.school_or_gp),
                    _line(_("Relationship to the alleged person"), person.relationship_to_alleged),
                    _line(_("Whereabouts and safety"), person.whereabouts),
                    _line(_("Looked after"), person.get_looked_after_display() if person.looked_after else ""),
                ]
            )
        )
    if source.adult_at_risk is not None:
        blocks.append(_adult_at_risk(source.adult_at_risk, source.concern.jurisdiction))
    return _blocks(blocks)


def _adult_at_risk(details: AdultAtRiskDetails, jurisdiction: str) -> str:
    criteria = nations.criteria_for(jurisdiction)
    not_told = f"{details.get_knows_of_concern_display()}" if details.knows_of_concern else ""
    if details.not_told_reason:
        not_told = _join([not_told, _line(_("Why not"), details.not_told_reason)])
    return _join(
        [
            _("The adult at risk"),
            _line(_("Criteria"), f"{criteria.title} ({criteria.source})") if criteria else "",
            *(_line(question, answer) for question, answer in nations.criteria_answers(details, jurisdiction)),
            _line(_("Their views and wishes"), details.views_and_wishes),
            _line(_("Do they know of this concern"), not_told),
            _line(
                _("Reason to doubt their capacity about this decision"),
                details.get_capacity_doubt_display() if details.capacity_doubt else "",
            ),
            _line(_("About their capacity"), details.capacity_notes),
            _line(_("Communication needs"), details.communication_needs),
            _line(_("Advocacy"), details.get_advocacy_display() if details.advocacy else ""),
            _line(_("About advocacy"), details.advocacy_notes),
        ]
    )


def _alleged_identity(source: PackSource) -> str:
    blocks = []
    for number, alleged in enumerate(source.alleged, start=1):
        heading = _("Alleged person %(number)s: identity %(identity)s") % {
            "number": number,
            "identity": alleged.get_identity_display().lower(),
        }
        if alleged.deceased:
            heading += _("; has died")
        blocks.append(
            _join(
                [
                    heading,
                    _line(_("Name"), alleged.name),
                    _line(_("Date of birth"), _day(alleged.date_of_birth)),
                    _line(_("Approximate age"), alleged.approximate_age),
                    _line(_("Description"), alleged.description),
                    _line(_("Address"), alleged.address),
                    _line(_("Relationship"), alleged.relationship),
                    _line(_("Whereabouts"), alleged.whereabouts),
                    _line(_("Who they are at our organisation"), alleged.staff_not_found),
                ]
            )
        )
    for number, other in enumerate(source.other_people, start=1):
        blocks.append(
            _join(
                [
                    _("Other person involved %(number)s: %(role)s")
                    % {"number": number, "role": other.get_role_display().lower()},
                    _line(_("Name"), other.name),
                    _line(_("Relationship"), other.relationship),
                    _line(_("What is known"), other.description),
                    _line(_("Contact with children now"), other.get_contact_with_children_display()),
                ]
            )
        )
    return _blocks(blocks)


def _alleged_role(source: PackSource) -> str:
    blocks = []
    for number, alleged in enumerate(source.alleged, start=1):
        trust = alleged.get_position_of_trust_display()
        if alleged.role:
            trust += f": {alleged.get_role_display()}"
        if alleged.role_detail:
            trust += f" ({alleged.role_detail})"
        blocks.append(
            _join(
                [
                    _("Alleged person %(number)s: role") % {"number": number},
                    _line(_("Works, volunteers or cares for children or adults at risk"), trust),
                    _line(_("Employer or approving body"), alleged.employer_or_approving_body),
                    _line(_("Area where they work or are approved"), alleged.work_area),
                    _line(_("Contact with children now"), alleged.get_contact_with_children_display()),
                    _line(_("Works with adults at risk"), alleged.get_works_with_adults_at_risk_display()),
                    _line(_("Works or volunteers for our organisation"), alleged.get_works_here_display()),
                ]
            )
        )
    return _blocks(blocks)


def _discloser(source: PackSource) -> str:
    concern = source.concern
    return _join(
        [
            _line(_("Who disclosed"), concern.get_discloser_type_display()),
            _line(
                _("Their wishes about the police"),
                concern.get_discloser_police_wishes_display() if concern.discloser_police_wishes else "",
            ),
            _line(
                _("Their wishes about their identity"),
                concern.get_discloser_identity_wishes_display() if concern.discloser_identity_wishes else "",
            ),
            _line(_("Notes"), concern.discloser_notes),
            _line(_("Support offered"), concern.support_offered),
        ]
    )


def _client(source: PackSource) -> str:
    client = source.concern.client
    if client is None:
        return ""
    return _join([_line(_("Client"), client.display_name), _line(_("Our client reference"), client.reference)])


def _reporter(source: PackSource) -> str:
    reporter = source.concern.reporter
    return _line(_("Concern raised by"), f"{reporter.get_full_name()}, {source.concern.team.name}")


def _prior_reports(source: PackSource) -> str:
    blocks = []
    for number, report in enumerate(source.prior_reports, start=1):
        to = report.get_recipient_display()
        if report.recipient_detail:
            to += f" ({report.recipient_detail})"
        when = " ".join(
            part
            for part in (
                _day(report.reported_on) + (_(" (approximate)") if report.reported_on_approximate else "")
                if report.reported_on
                else "",
                report.reported_on_text,
            )
            if part
        )
        blocks.append(
            _join(
                [
                    _("Earlier report %(number)s: to %(to)s, by %(by)s")
                    % {"number": number, "to": to, "by": report.get_made_by_display().lower()},
                    _line(_("When"), when),
                    _line(_("Their reference"), report.reference),
                    _line(_("Outcome"), report.outcome),
                    _line(_("What is new since"), report.new_since),
                ]
            )
        )
    return _blocks(blocks)


def _actions(source: PackSource) -> str:
    concern = source.concern
    emergency = concern.get_emergency_action_display() if concern.emergency_action else ""
    consulted = ", ".join(concern.consulted_labels)
    return _join(
        [
            _line(_("Anyone in immediate danger"), concern.get_immediate_danger_display()),
            _line(_("Emergency action"), emergency),
            _line(_("Emergency action: details"), concern.emergency_action_notes),
            _line(_("Why not treated as immediate"), concern.not_immediate_reason),
            _line(_("Action taken so far"), concern.actions_taken),
            _line(_("Consulted"), consulted),
            _line(_("Consultation notes"), concern.consultation_notes),
        ]
    )


def _addenda(source: PackSource) -> str:
    return _blocks(
        _line(_("Added %(day)s") % {"day": _day(addendum.created_at)}, addendum.text) for addendum in source.addenda
    )


def _triage(source: PackSource) -> str:
    triage = source.triage
    if triage is None:
        return ""
    return _join(
        [
            _line(_("Our risk rating"), triage.get_risk_rating_display()),
            _line(_("Why"), triage.rating_rationale),
            _line(_("Our decision"), triage.get_decision_display() if triage.decision else ""),
            _line(_("Rationale for the decision"), triage.decision_rationale),
        ]
    )


def _purpose(source: PackSource) -> str:
    return _line(_("Why we are sharing this"), source.decision.purpose)


def _consent(source: PackSource) -> str:
    decision = source.decision
    bases = [
        str(basis)
        for basis in (decision.article6_basis, decision.article9_condition, decision.common_law_basis)
        if basis
    ]
    informed = source.client_informed
    told = ""
    if informed is not None:
        told = informed.get_status_display()
        if informed.told_on:
            told += f" ({_day(informed.told_on)})"
    return _join(
        [
            _line(_("Consent"), decision.consent_summary),
            _line(_("Lawful basis"), "; ".join(bases)),
            _line(_("Information shared"), _("in full") if decision.decision == "share" else _("in part")),
            _line(_("Whether the client has been told"), told or _("Not recorded yet")),
        ]
    )


def _referrer(source: PackSource) -> str:
    referrer = source.referrer
    role = Role(referrer.primary_role).label if referrer.primary_role else ""
    return _join(
        [
            _line(_("Referrer"), ", ".join(part for part in (referrer.get_full_name(), role) if part)),
            _line(_("Organisation"), settings.ORGANISATION_NAME),
            _line(_("Email"), referrer.email),
        ]
    )


WRITERS: dict[str, Callable[[PackSource], str]] = {
    PackContent.SUMMARY: _summary,
    PackContent.CIRCUMSTANCES: _circumstances,
    PackContent.ACCOUNT: _text_of(gettext_lazy("In the person's own words"), "own_words"),
    PackContent.OBSERVATIONS: _text_of(gettext_lazy("The clinician's observations"), "observations"),
    PackContent.OPINION: _text_of(gettext_lazy("The clinician's professional opinion"), "opinion"),
    PackContent.QUESTIONS: _text_of(gettext_lazy("What the clinician said or asked"), "questions_asked"),
    PackContent.PERSONS_AT_RISK: _persons,
    PackContent.ALLEGED_IDENTITY: _alleged_identity,
    PackContent.ALLEGED_ROLE: _alleged_role,
    PackContent.DISCLOSER: _discloser,
    PackContent.CLIENT: _client,
    PackContent.REPORTER: _reporter,
    PackContent.PRIOR_REPORTS: _prior_reports,
    PackContent.ACTIONS: _actions,
    PackContent.ADDENDA: _addenda,
    PackContent.TRIAGE: _triage,
    PackContent.PURPOSE: _purpose,
    PackContent.CONSENT: _consent,
    PackContent.REFERRER: _referrer,
}
ALWAYS_WRITTEN = frozenset({PackContent.PURPOSE, PackContent.CONSENT, PackContent.REFERRER})


def _allowed(content: str, source: PackSource) -> bool:
    return content in ALWAYS_WRITTEN or content in source.allowed


def _body(contents: list[str], source: PackSource) -> str:
    known = [content for content in contents if content in WRITERS]
    if not known:
        return ""  # a heading for the lead to write
    allowed = [content for content in known if _allowed(content, source)]
    if not allowed:
        return _(NOT_SHARED_TEXT)
    return _blocks(WRITERS[content](source) for content in allowed) or _(NOT_RECORDED_TEXT)


def draft_sections(template: PackTemplate, source: PackSource) -> list[dict]:
    """The pack's sections under the template's headings, only what the decision allows, with
    every protected identity replaced. A part the decision allows that no heading asks for goes
    under a last heading, so that nothing allowed is silently left out."""
    redactor = Redactor.for_decision(source.decision)
    headings = list(template.headings.order_by("position", "id"))
    placed = {content for heading in headings for content in heading.contents}
    sections = [
        {
            "heading": heading.title,
            "guidance": heading.guidance,
            "contents": list(heading.contents),
            "body": _body(list(heading.contents), source),
        }
        for heading in headings
    ]
    leftover = [part for part in SharedPart.values if part in source.allowed and part not in placed]
    if leftover:
        sections.append(
            {
                "heading": _("Other information the decision allows"),
                "guidance": _("Parts of the concern the decision allows that this template has no heading for."),
                "contents": leftover,
                "body": _body(leftover, source),
            }
        )
    return [
        {**section, "heading": redactor.apply(section["heading"]), "body": redactor.apply(section["body"])}
        for section in sections
    ]
