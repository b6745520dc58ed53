"""Writes for concerns: drafts, submission, addenda. Every write is one transaction with its audit event."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.selectors import covered_team_ids
from audit.actions import AuditAction
from audit.services import events_written_last, record_event
from concerns import nations
from concerns.category_codes import ordered_codes
from concerns.models import (
    Addendum,
    AllegedPerson,
    Concern,
    ConcernCategory,
    ConcernDraft,
    ImmediateDanger,
    OtherPerson,
    PersonAtRisk,
    PriorReport,
    Urgency,
)
from concerns.selectors import as_submitted, first_deadline
from concerns.signals import addendum_added, concern_submitted

# Fields of the concern itself that a submission may carry (the header and the content).
CONCERN_INPUT_FIELDS = (
    "client",
    "urgency",
    "jurisdiction",
    "immediate_danger",
    "emergency_action",
    "emergency_action_notes",
    "not_immediate_reason",
    "occurred_on",
    "occurred_on_text",
    "occurred_on_approximate",
    "occurred_time",
    "location",
    "setting",
    "setting_detail",
    "people_present",
    "non_recent",
    "abuse_period",
    "summary",
    "discloser_type",
    "discloser_police_wishes",
    "discloser_identity_wishes",
    "discloser_notes",
    "support_offered",
    "own_words",
    "observations",
    "opinion",
    "questions_asked",
    "actions_taken",
    "consulted",
    "consultation_notes",
)
PART_MODELS: dict[str, type[PersonAtRisk] | type[AllegedPerson] | type[PriorReport] | type[OtherPerson]] = {
    "persons_at_risk": PersonAtRisk,
    "alleged_persons": AllegedPerson,
    "other_people": OtherPerson,
    "prior_reports": PriorReport,
}


class DuplicateSubmissionKey(Exception):
    """The submission key belongs to a concern someone else submitted."""


def next_reference(*, year: int) -> str:
    """SG-YYYY-NNNNNN from a PostgreSQL sequence: unique and gap-tolerant under concurrency."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('concerns_concern_reference_seq')")
        (number,) = cursor.fetchone()
    return f"SG-{year}-{number:06d}"


def _number_concern(concern: Concern, *, year: int) -> None:
    """Give a new concern its id and its reference (as ``next_reference``) in one round trip:
    its parts are built with the id before anything is written, and go in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')), nextval('concerns_concern_reference_seq')",
            [Concern._meta.db_table],
        )
        concern.pk, number = cursor.fetchone()
    concern.reference = f"SG-{year}-{number:06d}"


def _resolve_team(*, actor, client, team):
    if client is not None:
        team = client.team
    if team is None:
        team = actor.teams.order_by("name").first()
    if team is None:
        raise ValidationError("You are not a member of any team, so the concern cannot be filed. Ask an administrator.")
    covered = covered_team_ids(actor) if actor.is_lead else []
    if not _is_member(actor, team) and not (covered is None or team.pk in covered):
        raise ValidationError("You can only file concerns for a team you belong to.")
    return team


def _is_member(actor, team) -> bool:
    # A plain statement: the ORM's exists() across the membership table cost more CPU than
    # anything else in resolving the team.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {connection.ops.quote_name(actor.teams.through._meta.db_table)}"  # noqa: S608 - the model's name
            " WHERE user_id = %s AND team_id = %s",
            [actor.pk, team.pk],
        )
        return cursor.fetchone() is not None


def _resolve_categories(categories: Iterable) -> list[ConcernCategory]:
    given = list(categories)
    codes = [c.code if isinstance(c, ConcernCategory) else c for c in given]
    if given and all(isinstance(c, ConcernCategory) and c.pk for c in given):
        found = list({c.pk: c for c in given}.values())  # the form has just read them: not again
    else:
        found = list(ConcernCategory.objects.filter(code__in=codes))
    if not found:
        raise ValidationError({"categories": 'Choose at least one category ("Unclear" is allowed).'})
    if len(found) != len(set(codes)):
        raise ValidationError({"categories": "One of the chosen categories does not exist."})
    return found


def _insert_concern(concern: Concern, categories: list[ConcernCategory], parts: dict[str, list[Any]]) -> None:
    """The concern, then its categories and every row of its parts in one statement.

    A new concern has none of them yet, so there is nothing to read first; an INSERT per table,
    each in its own round trip, was a quarter of the submit's statements. The concern goes
    first on its own: the categories' nation guard (a trigger) reads its nation, which a
    statement writing both would not yet show it. Everything is validated already and
    numbered (``_number_concern``); nothing reads the parts' ids afterwards, so none are
    returned. No save signal is sent (nothing listens for these models; bulk_create sent none
    for the parts either).
    """
    through = Concern.categories.through
    inserts: list[tuple[Any, list, list[tuple]]] = [
        (
            through,
            [through._meta.get_field("concern"), through._meta.get_field("concerncategory")],
            [(concern.pk, category.pk) for category in categories],
        )
    ]
    for key, model in PART_MODELS.items():
        inserts.append((model, _insert_fields(model), [_db_row(row, model) for row in parts[key]]))
    with connection.cursor() as cursor:
        cursor.execute(*_values_insert(Concern, _insert_fields(Concern), [_db_row(concern, Concern)]))
        statements: list[str] = []
        params: list[Any] = []
        for model, fields, rows in inserts:
            if rows:
                sql, values = _values_insert(model, fields, rows)
                statements.append(sql)
                params.extend(values)
        *first, last = statements  # the categories are always there
        with_clause = "WITH " + ", ".join(f"part_{n} AS ({sql})" for n, sql in enumerate(first)) + " " if first else ""
        cursor.execute(with_clause + last, params)
    concern._state.adding, concern._state.db = False, connection.alias


def _values_insert(model, fields: list, rows: list[tuple]) -> tuple[str, list[Any]]:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES " + ", ".join(
        [row_sql] * len(rows)
    )
    return sql, [value for row in rows for value in row]


def _insert_fields(model) -> list:
    """The columns a new row of ``model`` is written with: all but a part's own id."""
    return [f for f in model._meta.local_concrete_fields if not (f.primary_key and model is not Concern)]


def _db_row(instance, model) -> tuple:
    return tuple(f.get_db_prep_save(f.pre_save(instance, True), connection) for f in _insert_fields(model))


def _apply_immediate_danger(fields: dict) -> dict:
    """Someone in immediate danger makes the concern immediate (its clock is the strictest), unless
    the clinician recorded why it need not be (for example the police are already there)."""
    if fields.get("immediate_danger") == ImmediateDanger.YES and fields.get("urgency") != Urgency.IMMEDIATE:
        if not (fields.get("not_immediate_reason") or "").strip():
            return {**fields, "urgency": Urgency.IMMEDIATE}
    return fields


def submit_concern(*, actor, data: dict, submission_key, team=None) -> tuple[Concern, bool]:
    """Write a concern and all its parts, its audit event, and send ``concern_submitted``: one transaction.

    ``data`` holds the concern's fields (CONCERN_INPUT_FIELDS), ``categories`` (codes or
    ConcernCategory objects) and lists of dicts under ``persons_at_risk``, ``alleged_persons``
    and ``prior_reports``. Returns ``(concern, created)``: a second call with the same
    ``submission_key`` (double click, second tab, retried POST) returns the first concern.
    """
    submission_key = uuid.UUID(str(submission_key))
    unknown = set(data) - set(CONCERN_INPUT_FIELDS) - {"categories", "adult_at_risk", *PART_MODELS}
    if unknown:
        raise ValueError(f"Unknown concern fields: {sorted(unknown)}")
    # The audit events (the concern's, its deadline's) are written last, so the chain lock
    # that serialises every writer of the trail is held for that INSERT, not the whole submit.
    with transaction.atomic(), events_written_last():
        # Serialise submits of the same key: the second waits, then finds the first concern.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"concern:{submission_key}"])
            # Only the id and the reporter, in a plain statement: a new key (nearly every
            # submit) finds nothing, and the ORM's reading of a whole concern cost more than
            # the rest of this check.
            cursor.execute(
                'SELECT "concerns_concern"."id", "concerns_concern"."reporter_id" FROM "concerns_concern"'
                ' WHERE "concerns_concern"."submission_key" = %s',
                [submission_key],
            )
            existing = cursor.fetchone()
        if existing is not None:
            if existing[1] != actor.pk:
                raise DuplicateSubmissionKey(str(submission_key))
            return Concern.objects.get(pk=existing[0]), False

        fields = {name: data[name] for name in CONCERN_INPUT_FIELDS if name in data}
        client = fields.get("client")
        team = _resolve_team(actor=actor, client=client, team=team)
        categories = _resolve_categories(data.get("categories") or [])
        nations.check_categories_for_nation(fields.get("jurisdiction"), categories)
        now = timezone.now()
        fields = _apply_immediate_danger(fields)
        concern = Concern(
            team=team,
            reporter=actor,
            submitted_at=now,
            submission_key=submission_key,
            reference="pending",
            # Written with the row, beside the links: the queue's category filter reads these.
            category_codes=ordered_codes((category.order, category.code) for category in categories),
            **fields,
        )
        if concern.needs_emergency_action and not concern.emergency_action:
            raise ValidationError({"emergency_action": "Record the emergency action taken before submitting."})
        if concern.emergency_action == "none" and not concern.emergency_action_notes.strip():
            raise ValidationError({"emergency_action_notes": "Say why no emergency call was made."})
        # The key's uniqueness was settled above, under its lock; the reference is not yet drawn.
        concern.full_clean(exclude=["reference", "team", "reporter", "client"], validate_unique=False)
        _number_concern(concern, year=timezone.localtime(now).year)
        # Written with the deadline it is about to open (from the clock engine, when one is
        # registered): the trigger that keeps the queue's order then finds its row already right,
        # instead of rewriting it, and every queue index with it, in the same transaction.
        first = first_deadline(concern)
        if first is not None:
            concern.next_due_at, concern.next_due_kind = first.due_at, first.kind
        written: dict[str, list[Any]] = {}  # instances of each part's model
        for key, model in PART_MODELS.items():
            rows: list[Any] = []
            written[key] = rows
            for position, values in enumerate(data.get(key) or []):
                row = model(concern=concern, position=position, **values)
                row.full_clean(exclude=["concern", "staff_member"])
                rows.append(row)
        _insert_concern(concern, categories, written)
        nations.record_adult_at_risk(concern, data.get("adult_at_risk"))

        with connection.cursor() as cursor:
            # The draft's own rows only (nothing refers to a draft): no collector to run.
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(ConcernDraft._meta.db_table)}"  # noqa: S608 - the model's name
                " WHERE author_id = %s AND submission_key = %s",
                [actor.pk, submission_key],
            )
        record_event(
            action=AuditAction.CONCERN_SUBMITTED,
            actor=actor,
            subject=concern,
            details={
                "team": team.code,
                "urgency": concern.urgency,
                "jurisdiction": concern.jurisdiction,
                "immediate_danger": concern.immediate_danger,
                "categories": sorted(c.code for c in categories),
                "persons_at_risk": len(data.get("persons_at_risk") or []),
                "alleged_persons": len(data.get("alleged_persons") or []),
                "prior_reports": len(data.get("prior_reports") or []),
                "other_people": len(data.get("other_people") or []),
            },
        )
        with as_submitted(concern, alleged_persons=written["alleged_persons"]):
            concern_submitted.send(sender=Concern, concern=concern, actor=actor)
    return concern, True


def add_addendum(*, actor, concern: Concern, text: str, section: str = "") -> Addendum:
    """Later information or a correction: appended, never edited, audited. ``section`` files it
    under one of the record's headings (AddendumSection), as the intake's sections would have."""
    addendum = Addendum(concern=concern, author=actor, text=text, section=section)
    addendum.full_clean(exclude=["concern", "author"])
    if not text.strip():
        raise ValidationError({"text": "Write the addendum before saving it."})
    with transaction.atomic():
        addendum.save(force_insert=True)
        record_event(
            action=AuditAction.CONCERN_ADDENDUM_ADDED,
            actor=actor,
            subject=concern,
            details={"addendum_id": addendum.pk, "section": addendum.section},
        )
        addendum_added.send(sender=Addendum, concern=concern, addendum=addendum, actor=actor)
    return addendum


def save_draft(*, actor, submission_key, data: dict) -> ConcernDraft:
    """Create or update the author's draft. Someone else's key, or a submitted one, is refused."""
    submission_key = uuid.UUID(str(submission_key))
    with transaction.atomic():
        if Concern.objects.filter(submission_key=submission_key).exists():
            raise DuplicateSubmissionKey(str(submission_key))
        draft, created = ConcernDraft.objects.select_for_update().get_or_create(
            submission_key=submission_key, defaults={"author": actor, "data": data}
        )
        if draft.author_id != actor.pk:
            raise DuplicateSubmissionKey(str(submission_key))
        if not created:
            draft.data = data
            draft.save(update_fields=["data", "updated_at"])
    return draft


def discard_draft(*, actor, draft: ConcernDraft) -> None:
    if draft.author_id != actor.pk:
        raise PermissionError("Only the author may discard a draft.")
    draft.delete()
