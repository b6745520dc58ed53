"""The concern row's copy of its category codes, which the queue's category filter reads.

The links stay the record; the copy is written with the row at submission, filled from the
links for older concerns by migration 0020, and never changes afterwards. The filter's
visibility (hidden concerns, every variant's query count) is checked in test_queue_variants.
"""

import pytest
from django.db import ProgrammingError, connection, transaction

from concerns.category_codes import fill_category_codes_from_links
from concerns.models import Concern
from escalation import services
from escalation.selectors import QueueFilters, queue_for_lead
from tests.factories.concerns import submit_test_concern
from tests.factories.workflow import acknowledged

pytestmark = pytest.mark.django_db


def _linked_codes(concern: Concern) -> list[str]:
    """The codes of the concern's links, in the categories' order (then code)."""
    return list(concern.categories.order_by("order", "code").values_list("code", flat=True))


def _guard_state() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger"
            " WHERE tgrelid = 'concerns_concern'::regclass AND tgname = 'append_only_guard'"
        )
        return cursor.fetchone()[0]


def test_a_submitted_concern_carries_its_links_codes_in_the_categories_order(cast):
    # Given out of order: the copy follows the categories' order, as the backfill does.
    concern = submit_test_concern(reporter=cast.clinician, categories=("child-neglect", "unclear", "child-physical"))
    stored = Concern.objects.get(pk=concern.pk)
    assert stored.category_codes == ["child-physical", "child-neglect", "unclear"]
    assert stored.category_codes == _linked_codes(stored)


def test_the_filter_finds_exactly_the_concerns_with_the_category_open_or_closed(cast):
    both = submit_test_concern(reporter=cast.clinician, categories=("child-physical", "child-online"))
    online = submit_test_concern(reporter=cast.clinician, categories=("child-online",))
    physical = submit_test_concern(reporter=cast.clinician, categories=("child-physical",))
    closed = acknowledged(submit_test_concern(reporter=cast.clinician, categories=("child-online",)), by=cast.lead)
    services.close_concern(
        actor=cast.lead,
        concern_id=closed.pk,
        expected_status=Concern.objects.get(pk=closed.pk).status,
        outcome="no_further_action",
        rationale="Advice given; nothing more to do.",
    )

    def found(**filters):
        return set(queue_for_lead(cast.lead, QueueFilters(**filters)).values_list("pk", flat=True))

    assert found(category="child-online") == {both.pk, online.pk}
    assert found(category="child-physical") == {both.pk, physical.pk}
    # The index holds open concerns only; the filter still applies to closed ones.
    assert found(category="child-online", status="closed") == {closed.pk}
    assert found(category="child-sexual") == set()
    assert found(category="child") == set()  # a whole code, never a prefix


def test_the_backfill_copies_the_links_codes_past_the_guard_and_puts_the_guard_back(cast):
    concerns = [
        submit_test_concern(reporter=cast.clinician, categories=("child-online", "child-emotional")),
        submit_test_concern(reporter=cast.clinician, categories=("unclear",)),
    ]
    untouched = submit_test_concern(reporter=cast.clinician, categories=("child-fgm",))
    # ALTER TABLE refuses while trigger events are pending, and foreign-key checks of rows
    # written in this (the test's) transaction are deferred: checked statement by statement
    # here. A migration's transaction wrote none of the rows it fills.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # Rows as migration 0020 found them: no codes yet (the guard stepped aside the same way).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE concerns_concern DISABLE TRIGGER append_only_guard")
        cursor.execute(
            "UPDATE concerns_concern SET category_codes = '{}' WHERE id = ANY(%s)", [[c.pk for c in concerns]]
        )
        cursor.execute("ALTER TABLE concerns_concern ENABLE TRIGGER append_only_guard")
    assert set(Concern.objects.filter(category_codes=[]).values_list("pk", flat=True)) >= {c.pk for c in concerns}

    assert fill_category_codes_from_links() == len(concerns)  # rows already right are left alone
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    for concern in [*concerns, untouched]:
        stored = Concern.objects.get(pk=concern.pk)
        assert stored.category_codes == _linked_codes(stored)
    assert Concern.objects.get(pk=concerns[0].pk).category_codes == ["child-emotional", "child-online"]
    assert _guard_state() == "O"
    # And the guard holds again: the copy is content, frozen like the rest.
    with pytest.raises(ProgrammingError, match="UPDATE of category_codes refused"), transaction.atomic():
        Concern.objects.filter(pk=untouched.pk).update(category_codes=["unclear"])


def test_the_runtime_role_writes_the_codes_with_the_row_and_may_never_change_them(db, settings):
    """Its grants follow WORKFLOW_COLUMNS: INSERT on the table (the submit), UPDATE on those only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_column_privilege(%(role)s, 'concerns_concern', 'category_codes', 'INSERT'),"
            " has_column_privilege(%(role)s, 'concerns_concern', 'category_codes', 'UPDATE')",
            {"role": settings.DATABASE_APP_ROLE},
        )
        assert cursor.fetchone() == (True, False)
