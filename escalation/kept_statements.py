"""Compiled statements kept per process, for the next request that asks the same question.

Building the queue's rows statement through the ORM (need to know, the lead's teams, the
filters, the order, a row's columns) and compiling it to SQL took about 1.2 ms of the page's
CPU: half as long as PostgreSQL took to run it, on every request. A lead asks the same question
again and again: the queue refreshes itself with the same filters, order and page, and a lead
goes back to it after each concern. Between two such requests only the time moves (which
deadlines are overdue, which referrals are to chase).

So a statement is built once with a stand-in for the time and kept, with its parameters; the
next request with the same key puts its own time in the stand-in's place and runs it. The key is
everything else the statement is built from, and two guards keep it so:

- building a kept statement may not read the database: a value read then would be frozen into
  the statement, so a query during the build raises;
- the tests compare each kept statement with one freshly built at another time, for every
  variant of the queue and every kind of lead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Never a real moment of this portal: the stand-in for "now" while a statement is built.
STAND_IN_NOW = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
# Per process: a few hundred statements of a few kilobytes each (a lead's handful of views).
KEPT_STATEMENTS = 256


class DatabaseReadWhileBuilding(RuntimeError):
    """Building a statement to keep read the database; what it read would go stale in it."""


def _refuse_queries(execute, sql, params, many, context):
    raise DatabaseReadWhileBuilding(
        "A kept statement must be built from its key alone, without reading the database: " + sql[:200]
    )


@dataclass(frozen=True)
class _Statement:
    sql: str | None  # None: the question has no rows whatever the time (an empty queryset)
    params: tuple
    now_positions: tuple[int, ...]
    names: tuple[str, ...]
    converters: tuple

    def params_at(self, now: datetime) -> list:
        params = list(self.params)
        for position in self.now_positions:
            params[position] = now
        return params


def _compile(queryset: QuerySet) -> _Statement:
    """The SQL and parameters of a ``values()`` queryset, and how its rows become dictionaries
    (as Django's own values() iteration does it)."""
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _Statement(sql=None, params=(), now_positions=(), names=(), converters=())
    if query.selected:
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    converters = tuple(compiler.get_converters(fields).items())
    return _Statement(
        sql=sql,
        params=tuple(params),
        now_positions=tuple(i for i, value in enumerate(params) if value == STAND_IN_NOW),
        names=tuple(names),
        converters=converters,
    )


class KeptStatements:
    """Up to ``size`` compiled ``values()`` statements, each under the key of what built it."""

    def __init__(self, size: int = KEPT_STATEMENTS) -> None:
        self.size = size
        self._statements: dict[Hashable, _Statement] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._statements.clear()

    def __len__(self) -> int:
        return len(self._statements)

    def statement(self, key: Hashable, build: Callable[[datetime], QuerySet]) -> _Statement:
        """The statement kept under ``key``, built by ``build(STAND_IN_NOW)`` the first time.

        ``build`` must return a ``values()`` queryset whose SQL depends on nothing but ``key``
        and the time it is given.
        """
        statement = self._statements.get(key)
        if statement is None:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(_refuse_queries):
                queryset = build(STAND_IN_NOW)
                if queryset.db != DEFAULT_DB_ALIAS:
                    # The guard above watches the default connection only.
                    raise ValueError(f"A kept statement must read the default database, not {queryset.db!r}.")
                statement = _compile(queryset)
            with self._lock:
                if len(self._statements) >= self.size:
                    # The oldest kept goes first: a dictionary keeps the order of insertion.
                    self._statements.pop(next(iter(self._statements)))
                self._statements[key] = statement
        return statement

    def rows(self, key: Hashable, build: Callable[[datetime], QuerySet], *, now: datetime) -> list[dict]:
        """The rows of the statement under ``key`` at ``now``, as values() gives them."""
        statement = self.statement(key, build)
        if statement.sql is None:
            return []
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.params_at(now))
            rows = cursor.fetchall()
        if statement.converters:
            rows = [_converted(row, statement.converters, connection) for row in rows]
        return [dict(zip(statement.names, row, strict=True)) for row in rows]


def _converted(row: tuple, converters: tuple, connection) -> list:
    """One row through its fields' converters, as Django's compiler applies them."""
    row = list(row)
    for position, (functions, expression) in converters:
        for function in functions:
            row[position] = function(row[position], expression, connection)
    return row
