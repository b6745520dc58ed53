"""COPY rows into a model's table, filling every column the generator does not name.

The models keep changing while the benchmark is written, so rows are dicts of the columns
the generator cares about; every other column gets its field default, NULL, or "" (in that
order of preference). A new required column without a default stops the load with its name.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.db import connection, models
from psycopg.types.json import Jsonb

_NOTHING = object()


class UnfillableColumn(RuntimeError):
    pass


def _fallback(field: models.Field):
    if field.has_default():
        value = field.get_default()
        if callable(value):  # pragma: no cover - get_default already calls callables
            value = value()
        return value
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField | models.SlugField | models.EmailField):
        return ""
    if isinstance(field, models.BooleanField):
        return False
    return _NOTHING


class ModelCopier:
    """One COPY statement for a model: ``columns`` are the model's concrete columns."""

    def __init__(self, model, *, provided: Iterable[str]):
        provided = set(provided)
        self.model = model
        self.table = model._meta.db_table
        self.fields = []
        self.fallbacks = []
        with connection.cursor() as cursor:
            existing = {c.name for c in connection.introspection.get_table_description(cursor, self.table)}
        for field in model._meta.concrete_fields:
            name = field.attname
            if field.column not in existing:
                continue  # the model is ahead of its migration: the table decides
            if name in provided:
                self.fields.append(field)
                self.fallbacks.append(_NOTHING)
                continue
            if field.primary_key:
                continue  # the sequence fills it
            if getattr(field, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
                continue  # the database fills it
            fallback = _fallback(field)
            if fallback is _NOTHING:
                raise UnfillableColumn(
                    f"{self.table}.{field.column} is required and has no default: teach benchmarks/datagen.py it"
                )
            self.fields.append(field)
            self.fallbacks.append(fallback)
        unknown = provided - {f.attname for f in model._meta.concrete_fields}
        # A column the model no longer has is dropped quietly (the generator is ahead of the model).
        self.unknown = unknown
        self.columns = [f.column for f in self.fields]
        self.json_positions = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]

    def row(self, values: dict) -> tuple:
        out = []
        for field, fallback in zip(self.fields, self.fallbacks, strict=True):
            value = values.get(field.attname) if fallback is _NOTHING else values.get(field.attname, fallback)
            out.append(value)
        for i in self.json_positions:
            if out[i] is not None:
                out[i] = Jsonb(out[i])
        return tuple(out)

    def copy(self, rows: Iterable[dict]) -> int:
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        count = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {connection.ops.quote_name(self.table)} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(self.row(values))
                    count += 1
        return count


def copy_rows(model, rows: Iterable[dict], *, provided: Iterable[str], log=None) -> int:
    started = time.monotonic()
    count = ModelCopier(model, provided=provided).copy(rows)
    if log:
        log(f"  {model._meta.db_table}: {count:,} rows in {time.monotonic() - started:.1f}s")
    return count
