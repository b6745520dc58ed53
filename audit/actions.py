"""The audit vocabulary: every action the portal records, with its label, kind and sentence.

Writers pass a member of ``AuditAction`` to ``audit.services.record_event``, which refuses any
other code. Readers (the managers' trail, the CSV export, a concern's access log and its
chronology) take labels, kinds and readable sentences from here, so a new action gets its
label in this file and nowhere else:

1. add a member to ``AuditAction`` (its value is the dotted code stored in the database);
2. add its ``ActionSpec`` to ``SPECS``: a label, a kind, and the phrases its details read as.

Details are rendered as text for managers, never as Python dicts. A phrase names detail keys
(``_("from {previous_rating} to {risk_rating}")``) and is left out when a key it names is
missing or empty, so older rows with fewer keys still read well; keys no phrase names are
listed as "key: value". Codes inside details (risk ratings, decisions, deadline kinds...) are
shown by their labels. Those labels live with the models of higher apps, which this layer may
not import: a vocabulary is named by string ("escalation.TriageRecord.risk_rating") and its
choices are read through the app registry, as model relations point upward by string.

Stored rows keep whatever code and keys they were written with: an unknown code reads with a
label made from the code, and ``renamed_keys`` maps a key older rows used to its current name.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    """What an action is about: the trail and a concern's chronology filter by it."""

    CONCERN = "concern", _("Actions on concerns")
    SHARING = "sharing", _("Information sharing and consent")
    ALERTS = "alerts", _("Deadlines, alerts and notifications")
    ACCESS = "access", _("Views and access")
    AUTHENTICATION = "authentication", _("Sign-in and security")
    ADMINISTRATION = "administration", _("Administration and oversight")


class AuditAction(StrEnum):
    """Every code record_event accepts (the value is what the database stores)."""

    # Actions on a concern
    CONCERN_SUBMITTED = "concern.submitted"
    CONCERN_ADDENDUM_ADDED = "concern.addendum_added"
    CONCERN_ACKNOWLEDGED = "concern.acknowledged"
    CONCERN_ASSIGNED = "concern.assigned"
    CONCERN_TRIAGED = "concern.triaged"
    CONCERN_RISK_CHANGED = "concern.risk_changed"
    CONCERN_DECIDED = "concern.decided"
    CONCERN_REFERRED = "concern.referred"
    REFERRAL_RESPONSE_RECORDED = "referral.response_recorded"
    REFERRAL_CONFIRMED_IN_WRITING = "referral.confirmed_in_writing"
    CONCERN_LADO_TASK_CREATED = "concern.lado_task_created"
    CONCERN_STAFF_IDENTIFIED = "concern.staff_identified"
    CONCERN_CONFLICT_DECLARED = "concern.conflict_declared"
    REFERRAL_PACK_DRAFTED = "referral_pack.drafted"
    REFERRAL_PACK_EDITED = "referral_pack.edited"
    REFERRAL_PACK_FINALISED = "referral_pack.finalised"
    CONCERN_CLOSED = "concern.closed"
    CONCERN_REOPENED = "concern.reopened"
    # Information sharing and consent
    SHARING_DECISION_RECORDED = "sharing.decision_recorded"
    CLIENT_INFORMED_RECORDED = "client_informed.recorded"
    LIMITS_EXPLAINED = "limits.explained"
    # Deadlines, alerts and notifications
    DEADLINE_OPENED = "deadline.opened"
    DEADLINE_MET = "deadline.met"
    DEADLINE_CANCELLED = "deadline.cancelled"
    ALERT_CREATED = "alert.created"
    ALERT_DELIVERED = "alert.delivered"
    ALERT_FAILED = "alert.failed"
    NOTIFICATION_DELIVERED = "notification.delivered"
    NOTIFICATION_FAILED = "notification.failed"
    # Views and access
    CONCERN_VIEWED = "concern.viewed"
    CONCERN_BREAK_GLASS = "concern.break_glass"
    CONCERN_BREAK_GLASS_REFUSED = "concern.break_glass_refused"
    ACCESS_DENIED = "access.denied"
    ACCESS_NOT_FOUND = "access.not_found"
    AUDIT_VIEWED = "audit.viewed"
    AUDIT_EXPORTED = "audit.exported"
    DASHBOARD_VIEWED = "dashboard.viewed"
    # Sign-in and security
    AUTH_LOGIN = "auth.login"
    AUTH_LOGOUT = "auth.logout"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_LOGIN_REFUSED_LOCKED_OUT = "auth.login_refused_locked_out"
    AUTH_LOCKED_OUT = "auth.locked_out"
    AUTH_PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105 - an action code, not a password
    AUTH_PASSWORD_SET = "auth.password_set"  # noqa: S105 - an action code, not a password
    AUTH_PASSWORD_RESET = "auth.password_reset"  # noqa: S105 - an action code, not a password
    MFA_ADDED = "mfa.added"
    MFA_REMOVED = "mfa.removed"
    MFA_RESET = "mfa.reset"
    MFA_USED = "mfa.used"
    MFA_FAILED = "mfa.failed"
    # Administration and oversight
    ADMIN_CHANGED = "admin.changed"
    BREAK_GLASS_REVIEWED = "break_glass.reviewed"
    AUDIT_CHAIN_VERIFIED = "audit.chain_verified"
    AUDIT_CHAIN_BROKEN = "audit.chain_broken"
    CLIENT_CREATED = "client.created"
    STATEMENT_DRAFTED = "statement.drafted"
    STATEMENT_DRAFT_UPDATED = "statement.draft_updated"
    STATEMENT_PUBLISHED = "statement.published"


@dataclass(frozen=True)
class ActionSpec:
    label: str
    kind: AuditKind
    # Phrases naming detail keys, joined with ", " into the sentence; one whose keys are
    # missing or empty is left out. A phrase that is only a value ("{outcome}") needs no
    # translation.
    phrases: tuple[str, ...] = ()
    # Detail key -> the vocabulary whose labels replace its codes, for this action only
    # (keys with one meaning everywhere are in KEY_VOCABULARIES).
    vocabularies: Mapping[str, str | Mapping[str, str]] = field(default_factory=dict)
    # Keys the sentence already says in other words (a label stored beside its code).
    said: frozenset[str] = frozenset()
    # A key older rows used -> the key written now.
    renamed_keys: Mapping[str, str] = field(default_factory=dict)


# --- Vocabularies ---------------------------------------------------------------------------

CONCERN_PAGES = {
    # Which page showed the concern: "page" is what the clinician's concern page wrote before
    # it named itself "concern".
    "concern": _("the concern page"),
    "page": _("the concern page"),
    "print": _("the printable page"),
    "workflow": _("the case file"),
    "case_file_print": _("the case file's print view"),
    "pack_draft": _("a referral pack draft"),
    "pack_print": _("a referral pack's print view"),
    "pack_download": _("a referral pack download"),
}
AUDIT_PAGES = {
    "trail": _("the audit trail"),
    "concern_access_log": _("a concern's access log"),
    "person_activity": _("a person's activity"),
    "break_glass": _("the break-glass review list"),
    "retention": _("the retention review"),
}
# Which level of the routing chain an alert reached (alerts.selectors.AudienceSource).
ALERT_ROUTES = {
    "owner": _("the owner"),
    "rota": _("the duty rota"),
    "team_leads": _("the team's leads (nobody on the rota)"),
    "organisation_leads": _("the organisation-wide leads (no team lead reachable)"),
    "managers": _("the safeguarding managers"),
    "named": _("the named lead"),
    "allegations_manager": _("the allegations manager (nobody else could be told)"),
    "nobody": _("nobody (no one could be told)"),
}
AUTHENTICATOR_TYPES = {
    "totp": _("authenticator app"),
    "webauthn": _("security key or passkey"),
    "recovery_codes": _("recovery codes"),
}

# Keys that mean the same thing in every action, and the vocabulary of their codes.
KEY_VOCABULARIES: dict[str, str | Mapping[str, str]] = {
    "urgency": "concerns.Concern.urgency",
    "jurisdiction": "concerns.Concern.jurisdiction",
    "immediate_danger": "concerns.Concern.immediate_danger",
    "risk_rating": "escalation.TriageRecord.risk_rating",
    "previous_rating": "escalation.TriageRecord.risk_rating",
    "agency": "escalation.ExternalReferral.agency",
    "method": "escalation.ExternalReferral.method",
    "kind": "alerts.Deadline.kind",
    "recipients": "alerts.Alert.recipients",
    "channel": "alerts.OutboxMessage.channel",
    "understanding": "consent.LimitsRecord.understanding",
    "authenticator_type": AUTHENTICATOR_TYPES,
}
# Keys holding a time, a date or a number of seconds (as JSON stores them).
TIME_KEYS = frozenset({"due_at", "response_due_at", "acknowledged_at"})
DATE_KEYS = frozenset({"review_on", "effective_from", "date_from", "date_to"})
DURATION_KEYS = frozenset({"overdue_seconds", "cooloff_seconds"})


@cache
def _model_choices(path: str) -> dict[str, str]:
    """The choices of a model field named "app_label.Model.field"; empty if it is not installed."""
    app_label, model_name, field_name = path.split(".")
    try:
        model_field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    except (LookupError, FieldDoesNotExist):
        return {}
    # A list of codes (an ArrayField) reads by the choices of its items.
    model_field = getattr(model_field, "base_field", model_field)
    return {str(value): label for value, label in model_field.flatchoices}


def _vocabulary(source: str | Mapping[str, str] | None) -> Mapping[str, str]:
    if source is None:
        return {}
    return _model_choices(source) if isinstance(source, str) else source


# --- The registry ----------------------------------------------------------------------------

K = AuditKind
A = AuditAction

SPECS: dict[AuditAction, ActionSpec] = {
    # Actions on a concern
    A.CONCERN_SUBMITTED: ActionSpec(
        _("Concern submitted"),
        K.CONCERN,
        (
            _("team {team}"),
            _("urgency {urgency}"),
            "{jurisdiction}",
            _("immediate danger: {immediate_danger}"),
            _("categories: {categories}"),
            _("people at risk: {persons_at_risk}"),
            _("alleged persons: {alleged_persons}"),
            _("earlier reports: {prior_reports}"),
        ),
    ),
    A.CONCERN_ADDENDUM_ADDED: ActionSpec(_("Addendum added"), K.CONCERN),
    A.CONCERN_ACKNOWLEDGED: ActionSpec(_("Acknowledged"), K.CONCERN),
    A.CONCERN_ASSIGNED: ActionSpec(_("Assigned"), K.CONCERN, (_("to {new_owner_name}"),)),
    A.CONCERN_TRIAGED: ActionSpec(_("Triaged"), K.CONCERN, (_("risk rating {risk_rating}"),)),
    # The typed reason stays in its record (the chronology shows it from there); events written
    # before that carry it in "reason", which the sentence still shows.
    A.CONCERN_RISK_CHANGED: ActionSpec(
        _("Risk rating changed"),
        K.CONCERN,
        (_("from {previous_rating} to {risk_rating}"), _("reason: {reason}")),
        said=frozenset({"triage_record_id"}),
    ),
    A.CONCERN_DECIDED: ActionSpec(
        _("Decision recorded"),
        K.CONCERN,
        ("{decision}", _("review on {review_on}"), _("the clinician may read: {reporter_feedback}")),
        vocabularies={
            "decision": "escalation.TriageRecord.decision",
            "reporter_feedback": "escalation.TriageRecord.reporter_feedback",
        },
        said=frozenset({"decision_label"}),
        renamed_keys={"review_date": "review_on"},
    ),
    A.CONCERN_REFERRED: ActionSpec(
        _("Referred externally"),
        K.CONCERN,
        (_("to {agency}"), _("by {method}"), _("response due {response_due_at}")),
        said=frozenset({"agency_label"}),
    ),
    A.REFERRAL_RESPONSE_RECORDED: ActionSpec(_("Agency response recorded"), K.CONCERN, (_("from {agency_label}"),)),
    A.REFERRAL_CONFIRMED_IN_WRITING: ActionSpec(
        _("Phoned referral confirmed in writing"), K.CONCERN, (_("to {agency_label}"),)
    ),
    A.CONCERN_LADO_TASK_CREATED: ActionSpec(
        _("LADO referral task created"), K.CONCERN, (_("due {due_at}"), "{jurisdiction}")
    ),
    A.CONCERN_STAFF_IDENTIFIED: ActionSpec(
        _("Alleged person identified as a member of staff"), K.CONCERN, said=frozenset({"staff_link_id"})
    ),
    A.CONCERN_CONFLICT_DECLARED: ActionSpec(
        _("Conflict of interest declared (hidden from them from now on)"), K.CONCERN, said=frozenset({"conflict_id"})
    ),
    A.REFERRAL_PACK_DRAFTED: ActionSpec(
        _("Referral pack drafted"),
        K.CONCERN,
        (_("for {agency}"), _("pack {pack_number}"), _("from sharing decision #{sharing_decision_id}")),
    ),
    A.REFERRAL_PACK_EDITED: ActionSpec(
        _("Referral pack edited"), K.CONCERN, (_("pack {pack_number}"), _("revision {revision}"))
    ),
    A.REFERRAL_PACK_FINALISED: ActionSpec(
        _("Referral pack finalised"),
        K.CONCERN,
        (_("for {agency}"), _("pack {pack_number}"), _("revision {revision}"), _("SHA-256 {sha256}")),
    ),
    A.CONCERN_CLOSED: ActionSpec(
        _("Closed"),
        K.CONCERN,
        ("{outcome}", _("the clinician may read: {reporter_feedback}")),
        vocabularies={
            "outcome": "escalation.ClosureRecord.outcome",
            "reporter_feedback": "escalation.ClosureRecord.reporter_feedback",
        },
        said=frozenset({"outcome_label"}),
    ),
    A.CONCERN_REOPENED: ActionSpec(
        _("Reopened"), K.CONCERN, (_("reason: {reason}"),), said=frozenset({"closure_record_id"})
    ),
    # Information sharing and consent
    A.SHARING_DECISION_RECORDED: ActionSpec(
        _("Information-sharing decision recorded"),
        K.SHARING,
        (
            "{decision}",
            "{consent}",
            _("shared without consent: {without_consent}"),
            _("Article 6 basis {article6_basis}"),
            _("Article 9 condition {article9_condition}"),
            _("common-law basis {common_law_basis}"),
            _("replaces decision #{supersedes}"),
            _("may share: {shared_parts}"),
            _("identities protected: {protected_identities}"),
        ),
        vocabularies={
            "decision": "consent.SharingDecision.decision",
            "consent": "consent.SharingDecision.consent",
            "shared_parts": "consent.SharingDecision.shared_parts",
        },
    ),
    A.CLIENT_INFORMED_RECORDED: ActionSpec(
        _("Telling the client recorded"),
        K.SHARING,
        ("{status}", _("why not: {not_told_reason}"), _("review on {review_on}")),
        vocabularies={
            "status": "consent.ClientInformedRecord.status",
            "not_told_reason": "consent.ClientInformedRecord.reason",
        },
        renamed_keys={"reason": "not_told_reason"},
    ),
    A.LIMITS_EXPLAINED: ActionSpec(
        _("Limits of confidentiality explained"),
        K.SHARING,
        (
            _("statement version {statement_version}"),
            _("understanding: {understanding}"),
            _("corrects record #{corrects}"),
        ),
    ),
    # Deadlines, alerts and notifications
    A.DEADLINE_OPENED: ActionSpec(
        _("Deadline started"), K.ALERTS, ("{kind}", _("due {due_at}"), _("urgency {urgency}"))
    ),
    A.DEADLINE_MET: ActionSpec(
        _("Deadline met"), K.ALERTS, ("{kind}", _("was due {due_at}"), _("escalation steps fired: {steps_fired}"))
    ),
    A.DEADLINE_CANCELLED: ActionSpec(
        _("Deadline cancelled (no longer needed)"),
        K.ALERTS,
        ("{kind}", _("was due {due_at}"), _("escalation steps fired: {steps_fired}")),
    ),
    A.ALERT_CREATED: ActionSpec(
        _("Alert raised"),
        K.ALERTS,
        (
            "{kind}",
            _("step {step}"),
            _("to {recipients}"),
            _("reached {routed_to}"),
            _("overdue by {overdue_seconds}"),
        ),
        vocabularies={"routed_to": ALERT_ROUTES},
    ),
    A.ALERT_DELIVERED: ActionSpec(_("Alert delivered"), K.ALERTS, (_("by {channel}"), _("attempt {attempt}"))),
    A.ALERT_FAILED: ActionSpec(
        _("Alert delivery failed"), K.ALERTS, (_("by {channel}"), _("attempt {attempt}"), _("error: {error}"))
    ),
    A.NOTIFICATION_DELIVERED: ActionSpec(
        _("Notification delivered"), K.ALERTS, (_("by {channel}"), _("attempt {attempt}"))
    ),
    A.NOTIFICATION_FAILED: ActionSpec(
        _("Notification delivery failed"), K.ALERTS, (_("by {channel}"), _("attempt {attempt}"), _("error: {error}"))
    ),
    # Views and access
    A.CONCERN_VIEWED: ActionSpec(
        _("Concern viewed"),
        K.ACCESS,
        (_("on {page}"),),
        vocabularies={"page": CONCERN_PAGES},
        renamed_keys={"view": "page"},
    ),
    A.CONCERN_BREAK_GLASS: ActionSpec(
        _("Opened outside the covering team (break-glass)"), K.ACCESS, (_("team {team}"), _("reason: {reason}"))
    ),
    A.CONCERN_BREAK_GLASS_REFUSED: ActionSpec(
        _("Break-glass refused: the concern is about them or they declared a conflict"),
        K.ACCESS,
        (_("team {team}"), _("reason: {reason}")),
    ),
    A.ACCESS_DENIED: ActionSpec(_("Access refused"), K.ACCESS, ("{method} {path}",)),
    A.ACCESS_NOT_FOUND: ActionSpec(_("Page not found while signed in"), K.ACCESS, ("{method} {path}",)),
    A.AUDIT_VIEWED: ActionSpec(
        _("Audit pages viewed"),
        K.ACCESS,
        ("{page}", _("concern {reference}"), _("filter: {filter}")),
        vocabularies={"page": AUDIT_PAGES},
    ),
    A.AUDIT_EXPORTED: ActionSpec(_("Audit trail exported"), K.ACCESS, (_("filter: {filter}"),)),
    A.DASHBOARD_VIEWED: ActionSpec(_("Dashboard viewed"), K.ACCESS, (_("last {weeks} weeks"),)),
    # Sign-in and security
    A.AUTH_LOGIN: ActionSpec(_("Signed in"), K.AUTHENTICATION),
    A.AUTH_LOGOUT: ActionSpec(_("Signed out"), K.AUTHENTICATION),
    A.AUTH_LOGIN_FAILED: ActionSpec(_("Sign-in failed"), K.AUTHENTICATION, (_("as {attempted_login}"),)),
    A.AUTH_LOGIN_REFUSED_LOCKED_OUT: ActionSpec(
        _("Sign-in refused while locked out"), K.AUTHENTICATION, (_("as {attempted_login}"),)
    ),
    A.AUTH_LOCKED_OUT: ActionSpec(
        _("Locked out after repeated failures"),
        K.AUTHENTICATION,
        (_("as {attempted_login}"), _("{failures} failures"), _("for {cooloff_seconds}")),
    ),
    A.AUTH_PASSWORD_CHANGED: ActionSpec(_("Password changed"), K.AUTHENTICATION),
    A.AUTH_PASSWORD_SET: ActionSpec(_("Password set"), K.AUTHENTICATION),
    A.AUTH_PASSWORD_RESET: ActionSpec(_("Password reset"), K.AUTHENTICATION),
    A.MFA_ADDED: ActionSpec(_("Second factor added"), K.AUTHENTICATION, ("{authenticator_type}",)),
    A.MFA_REMOVED: ActionSpec(_("Second factor removed"), K.AUTHENTICATION, ("{authenticator_type}",)),
    A.MFA_RESET: ActionSpec(_("Second factor reset"), K.AUTHENTICATION, ("{authenticator_type}",)),
    A.MFA_USED: ActionSpec(
        _("Second factor used"),
        K.AUTHENTICATION,
        ("{authenticator_type}", _("re-authentication: {reauthentication}")),
        renamed_keys={"reauthenticated": "reauthentication"},
    ),
    A.MFA_FAILED: ActionSpec(
        _("Second factor failed"),
        K.AUTHENTICATION,
        ("{authenticator_type}", _("re-authentication: {reauthentication}")),
    ),
    # Administration and oversight
    A.ADMIN_CHANGED: ActionSpec(_("Changed in the admin site"), K.ADMINISTRATION, ("{operation} {object}", "{change}")),
    A.BREAK_GLASS_REVIEWED: ActionSpec(_("Break-glass access reviewed"), K.ADMINISTRATION, (_("comment: {comment}"),)),
    A.AUDIT_CHAIN_VERIFIED: ActionSpec(
        _("Audit chain verified intact"),
        K.ADMINISTRATION,
        (_("{events_checked} events checked"), _("up to event #{head_event_id}")),
    ),
    A.AUDIT_CHAIN_BROKEN: ActionSpec(_("Audit chain found broken"), K.ADMINISTRATION, ("{problem}",)),
    A.CLIENT_CREATED: ActionSpec(_("Client record created"), K.ADMINISTRATION),
    A.STATEMENT_DRAFTED: ActionSpec(
        _("Confidentiality statement drafted"), K.ADMINISTRATION, (_("version {version}"),)
    ),
    A.STATEMENT_DRAFT_UPDATED: ActionSpec(
        _("Confidentiality statement draft updated"), K.ADMINISTRATION, (_("version {version}"),)
    ),
    A.STATEMENT_PUBLISHED: ActionSpec(
        _("Confidentiality statement published"),
        K.ADMINISTRATION,
        (_("version {version}"), _("effective from {effective_from}")),
    ),
}

_missing = [action.value for action in AuditAction if action not in SPECS]
if _missing:
    raise ImproperlyConfigured(f"Audit actions without a spec in audit.actions.SPECS: {', '.join(_missing)}")
_SPECS_BY_CODE = {action.value: spec for action, spec in SPECS.items()}


# --- Reading -----------------------------------------------------------------------------------


def parse_action(code: str) -> AuditAction:
    """The registered action for ``code``; ValueError for any other."""
    try:
        return AuditAction(code)
    except ValueError:
        raise ValueError(
            f"Unknown audit action {code!r}: add it to audit.actions (AuditAction and SPECS) with its label."
        ) from None


def spec_for(code: str) -> ActionSpec | None:
    """The spec of a stored code, or None for a code no longer (or never) registered."""
    return _SPECS_BY_CODE.get(code)


def _humanise(code: str) -> str:
    return code.replace(".", ": ").replace("_", " ").strip().capitalize()


def action_label(code: str) -> str:
    """A readable label in the active language; an unregistered code (an old row) reads as
    itself, made legible."""
    return _label(code or "", get_language())


@lru_cache(maxsize=512)
def _label(code: str, language: str | None) -> str:
    spec = spec_for(code)
    return str(spec.label) if spec else _humanise(code)


def action_kind(code: str) -> AuditKind | None:
    spec = spec_for(code)
    return spec.kind if spec else None


def codes_of_kind(kind: str) -> tuple[str, ...]:
    """The codes of one kind, as stored (for WHERE action IN (...))."""
    return tuple(action.value for action, spec in SPECS.items() if spec.kind == kind)


def code_choices() -> list[tuple[str, str]]:
    """(code, label) for every action, for suggestions in the trail's filter."""
    return [(action.value, spec.label) for action, spec in SPECS.items()]


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _when(value, *, with_time: bool) -> str:
    text = str(value)
    if with_time:
        moment = parse_datetime(text)
        if moment is None:
            return text
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "j M Y H:i")
    day = parse_date(text[:10]) if len(text) >= 10 else None
    return formats.date_format(day, "j M Y") if day else text


def _duration(value) -> str:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return str(value)
    now = timezone.now()
    # timesince joins number and unit with a no-break space; a plain one reads the same in a CSV.
    return timesince(now - dt.timedelta(seconds=max(seconds, 0)), now).replace("\xa0", " ")


def readable_value(value, *, key: str = "", vocabulary: Mapping[str, str] | None = None) -> str:
    """One detail value as text: labels for codes, local times, yes/no, lists joined; never a repr."""
    if _is_empty(value):
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list | tuple):
        return ", ".join(text for v in value if (text := readable_value(v, key=key, vocabulary=vocabulary)))
    if isinstance(value, dict):
        return "; ".join(_pairs(value, language=get_language()))
    if vocabulary and str(value) in vocabulary:
        return str(vocabulary[str(value)])
    if key in TIME_KEYS:
        return _when(value, with_time=True)
    if key in DATE_KEYS:
        return _when(value, with_time=False)
    if key in DURATION_KEYS:
        return _duration(value)
    return str(value)


def humanise_key(key: str) -> str:
    return str(key).replace("_", " ")


def _pairs(
    details: Mapping, code: str = "", language: str | None = None, keys: Iterable[str] | None = None
) -> list[str]:
    """ "key: value" for each key (all of them by default), skipping empty values."""
    shown = []
    for key in details if keys is None else keys:
        text = readable_value(details[key], key=key, vocabulary=_labels(code, key, language))
        if text:
            shown.append(f"{humanise_key(key)}: {text}")
    return shown


def _vocabulary_for(spec: ActionSpec | None, key: str) -> Mapping[str, str]:
    source = spec.vocabularies.get(key) if spec else None
    return _vocabulary(source if source is not None else KEY_VOCABULARIES.get(key))


# Translating a lazy label costs more than the rest of a row of the CSV export, which reads
# millions of events: phrases and labels are translated once per language (bounded caches,
# as the keys come from stored details).
@lru_cache(maxsize=1024)
def _labels(code: str, key: str, language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in _vocabulary_for(spec_for(code), key).items()}


@lru_cache(maxsize=512)
def _phrases(code: str, language: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The action's phrases in one language, each with the detail keys it names."""
    spec = spec_for(code)
    return tuple((text, tuple(_fields(text))) for text in map(str, spec.phrases if spec else ()))


def _current_keys(spec: ActionSpec | None, details) -> dict:
    """The details with keys older rows used renamed to today's (today's key wins)."""
    if not isinstance(details, Mapping):
        return {"details": details} if not _is_empty(details) else {}
    renamed = spec.renamed_keys if spec else {}
    current = {key: value for key, value in details.items() if key not in renamed}
    for old, new in renamed.items():
        if old in details and new not in current:
            current[new] = details[old]
    return current


def _fields(phrase: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(phrase) if name]


@dataclass(frozen=True)
class ReadableDetails:
    """The details of one event as text: the action's sentence and the rest as "key: value"."""

    sentence: str
    others: tuple[str, ...]

    def __str__(self) -> str:
        return "; ".join(part for part in (self.sentence, *self.others) if part)


def readable_details(code: str, details) -> ReadableDetails:
    spec = spec_for(code)
    language = get_language()
    current = _current_keys(spec, details)
    phrases, named = [], set()
    for text, keys in _phrases(code, language):
        named.update(keys)
        values = {
            key: readable_value(current.get(key), key=key, vocabulary=_labels(code, key, language)) for key in keys
        }
        if keys and all(values.values()):
            phrases.append(text.format(**values))
    said = named | (spec.said if spec else frozenset())
    others = _pairs(current, code, language, [key for key in current if key not in said])
    return ReadableDetails(sentence=", ".join(phrases), others=tuple(others))
