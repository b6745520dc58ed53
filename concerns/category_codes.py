"""The concern row's copy of its category codes (``Concern.category_codes``), from its links.

The submit writes the copy in the same INSERT as the concern (``concerns.services``); this
fills it for concerns written before the column existed. The order is the categories' own
(their ``order``, then code, compared byte by byte so that Python and PostgreSQL agree).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, transaction

from audit.db import ROW_GUARD_TRIGGER

FILL_FROM_LINKS = """
UPDATE concerns_concern AS concern
   SET category_codes = linked.codes
  FROM (SELECT link.concern_id,
               array_agg(category.code ORDER BY category."order", category.code COLLATE "C") AS codes
          FROM concerns_concern_categories AS link
          JOIN concerns_concerncategory AS category ON category.id = link.concerncategory_id
         GROUP BY link.concern_id) AS linked
 WHERE concern.id = linked.concern_id AND concern.category_codes IS DISTINCT FROM linked.codes
"""


def ordered_codes(categories: Iterable[tuple[int, str]]) -> list[str]:
    """The codes of ``categories``, given as (order, code) pairs, in the order FILL_FROM_LINKS
    gives them."""
    return [code for _, code in sorted(categories)]


def fill_category_codes_from_links(using: str = "default") -> int:
    """Copy every concern's category codes from its links onto its row; returns the rows changed.

    The append-only guard refuses any change of a content column, and this is one: it steps
    aside for this one statement only, inside a transaction, so no other session ever sees the
    table unguarded (ALTER TABLE holds its lock until the commit) and a failure puts it back.
    The row-capture trigger stays on: the trail records each backfilled row like any change.
    Needs the table's owner (the role that migrates), and no trigger events pending on the
    table (ALTER TABLE refuses then): a migration's transaction wrote none of the rows it fills.
    """
    connection = connections[using]
    table = connection.ops.quote_name("concerns_concern")
    guard = connection.ops.quote_name(ROW_GUARD_TRIGGER)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s", [table, ROW_GUARD_TRIGGER]
        )
        guarded = cursor.fetchone() is not None
        if guarded:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {guard}")
        cursor.execute(FILL_FROM_LINKS)
        changed = cursor.rowcount
        if guarded:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {guard}")
    return changed
