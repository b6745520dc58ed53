"""One way to say "the rows of this table may not change", and the one registry of such tables.

A model declares its rule in its own body, next to its fields::

    class LimitsRecord(models.Model):
        ...
        append_only = AppendOnly()  # INSERT only: a correction is a new row

    class Concern(models.Model):
        ...
        append_only = AppendOnly(updatable=WORKFLOW_COLUMNS)  # the content never changes

A model whose every INSERT, UPDATE and DELETE is recorded in ``audit_rowchange`` says
``capture_row_changes = True``: a plain class attribute, so that ``accounts`` (below audit)
can say it without importing audit.

``protected_tables()`` and ``captured_tables()`` read these declarations from Django's app
registry once the apps are loaded, so audit never imports the apps above it. From them
``audit.db`` makes the database agree after every ``migrate``:

- one trigger function, ``append_only_guard()`` (audit migration 0007), guards every
  protected table: UPDATE and DELETE row by row, TRUNCATE unless the session set
  ``safeguarding.audit_maintenance`` (the test suite's flush does, as the owner);
- the runtime role keeps SELECT and INSERT on a protected table, never TRUNCATE, and UPDATE
  only on the declared updatable columns (a column-level grant), so it is stopped by its
  privileges before any trigger runs;
- the row-capture trigger sits on exactly the captured tables.

Why a function of our own rather than django-pgtrigger: pgtrigger's triggers step aside
when the session sets ``pgtrigger.ignore``, which any role may SET. Where the runtime role must
keep some UPDATE (a concern's workflow columns, the one review of a break-glass access) or
DELETE (a statement still in draft), the trigger is the only guard of the rest of the rule, so
that switch would let the application role rewrite a review or a published statement. Our
function has no switch but the TRUNCATE one, and TRUNCATE needs a privilege the runtime role
never holds. The same declarations drive the privileges and row capture as well, which
pgtrigger does not do, and no dependency is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured

# The row is written but never changed or deleted (apart from the declared exceptions).
APPEND = "append"
# The row is a draft, free to change or delete, until a column is set; from then on frozen.
DRAFT = "draft"


@dataclass(frozen=True)
class AppendOnly:
    """A model's append-only rule, declared as ``append_only = AppendOnly(...)`` in its body.

    - ``AppendOnly()``: INSERT only. The auto-created link tables of the model's
      many-to-many fields are append-only too (the links are part of the record).
    - ``updatable``: fields (or columns) an UPDATE may still change; the runtime role gets
      UPDATE on these columns only. A many-to-many field named here keeps its links free.
    - ``until``: with ``updatable``, those fields may change only while this field is still
      empty (NULL) in the stored row: a one-time completion, such as a review.
    - ``draft_until``: the whole row may change, or be deleted, while this field is empty;
      once it is set the row is frozen (a published statement).
    - ``written_by_trigger``: rows come only from a SECURITY DEFINER trigger function, so the
      runtime role may not INSERT either (it cannot forge entries).
    """

    updatable: tuple[str, ...] = ()
    until: str = ""
    draft_until: str = ""
    written_by_trigger: bool = False

    def __post_init__(self):
        object.__setattr__(self, "updatable", tuple(self.updatable))
        if self.until and not self.updatable:
            raise ImproperlyConfigured("AppendOnly(until=...) needs the updatable fields it limits.")
        if self.draft_until and (self.updatable or self.until or self.written_by_trigger):
            raise ImproperlyConfigured("AppendOnly(draft_until=...) stands alone: a draft row is wholly free.")


@dataclass(frozen=True)
class ProtectedTable:
    """One table of the registry, in database terms (column names, not field names)."""

    table: str
    app_label: str
    declared_by: str  # the model label, or "<label>.<field>" for a many-to-many link table
    updatable_columns: tuple[str, ...] = ()
    until_column: str = ""
    draft_until_column: str = ""
    runtime_may_insert: bool = True

    @property
    def mode(self) -> str:
        return DRAFT if self.draft_until_column else APPEND

    @property
    def runtime_may_delete(self) -> bool:
        """Only drafts are ever deleted, and the guard refuses it once the row is final."""
        return self.mode == DRAFT

    @property
    def trigger_arguments(self) -> tuple[str, ...]:
        """What append_only_guard() reads from TG_ARGV: mode, the until column, updatable columns."""
        return (self.mode, self.draft_until_column or self.until_column, *self.updatable_columns)


def _field(model, name: str, *, role: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise ImproperlyConfigured(f"{model._meta.label}.append_only: {role} names no field {name!r}") from error


def _column(model, name: str, *, role: str) -> str:
    field = _field(model, name, role=role)
    if field.many_to_many or not field.concrete:
        raise ImproperlyConfigured(f"{model._meta.label}.append_only: {role} {name!r} is not a column")
    return field.column


def _entries_for(model, rule: AppendOnly) -> list[ProtectedTable]:
    opts = model._meta
    free_links = {name for name in rule.updatable if _field(model, name, role="updatable").many_to_many}
    entries = [
        ProtectedTable(
            table=opts.db_table,
            app_label=opts.app_label,
            declared_by=opts.label,
            updatable_columns=tuple(
                _column(model, name, role="updatable") for name in rule.updatable if name not in free_links
            ),
            until_column=_column(model, rule.until, role="until") if rule.until else "",
            draft_until_column=_column(model, rule.draft_until, role="draft_until") if rule.draft_until else "",
            runtime_may_insert=not rule.written_by_trigger,
        )
    ]
    for field in opts.local_many_to_many:
        through = field.remote_field.through
        if field.name in free_links or not through._meta.auto_created:
            continue  # a free link, or an explicit through model that declares its own rule
        if rule.draft_until:
            raise ImproperlyConfigured(
                f"{opts.label}.{field.name}: the links of a draft cannot follow its publication; "
                "give the field a through model with its own rule."
            )
        entries.append(
            ProtectedTable(
                table=through._meta.db_table, app_label=opts.app_label, declared_by=f"{opts.label}.{field.name}"
            )
        )
    return entries


def protected_tables() -> list[ProtectedTable]:
    """Every append-only table declared by an installed model, ordered by table name."""
    entries = []
    for model in apps.get_models():
        rule = getattr(model, "append_only", None)
        if rule is None or model._meta.proxy or not model._meta.managed:
            continue
        if not isinstance(rule, AppendOnly):
            raise ImproperlyConfigured(f"{model._meta.label}.append_only must be an audit.append_only.AppendOnly")
        entries.extend(_entries_for(model, rule))
    return sorted(entries, key=lambda entry: entry.table)


def captured_tables() -> list[str]:
    """Every table whose model says ``capture_row_changes = True``, ordered by name."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if getattr(model, "capture_row_changes", False) is True and not model._meta.proxy and model._meta.managed
    )


def check_declarations(app_configs=None, **kwargs):
    """System check: every ``append_only`` declaration names real columns (``manage.py check``)."""
    from django.core import checks

    try:
        protected_tables()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="audit.E001")]
    return []
