"""Changes to core tables made outside the app (raw SQL) are captured by database triggers."""

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from accounts.models import User
from audit.db import attach_row_capture
from audit.models import RowChange
from concerns.models import Concern
from tests.factories.concerns import submit_test_concern


def test_a_raw_sql_update_of_a_concern_status_is_captured(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE concerns_concern SET status = 'closed' WHERE id = %s", [concern.pk])
    # The last change to the row is the raw UPDATE (earlier ones are the deadline trigger's
    # next_due_at bookkeeping during submission, captured too).
    change = (
        RowChange.objects.filter(table_name="concerns_concern", row_pk=str(concern.pk), operation="UPDATE")
        .order_by("-id")
        .first()
    )
    assert change is not None
    assert change.changed_columns == ["status"]
    assert change.db_user == connection.settings_dict["USER"]
    assert change.transaction_id > 0
    # Values are never copied, only column names.
    assert not hasattr(change, "old_values")


def test_inserts_and_deletes_are_captured_and_unchanged_updates_are_not(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    assert RowChange.objects.filter(table_name="concerns_concern", row_pk=str(concern.pk), operation="INSERT").exists()
    before = RowChange.objects.count()
    Concern.objects.filter(pk=concern.pk).update(status=concern.status)  # no real change
    assert RowChange.objects.count() == before
    leaver = User.objects.create_user(email="leaver@example.test", full_name="Lee Leaver")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_user WHERE id = %s", [leaver.pk])
    assert RowChange.objects.filter(table_name="accounts_user", row_pk=str(leaver.pk), operation="DELETE").exists()


def test_attaching_is_idempotent_and_skips_missing_tables(db, settings):
    settings.AUDIT_CAPTURED_TABLES = ["accounts_user", "no_such_table"]
    attach_row_capture()
    attach_row_capture()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_capture_row_change' "
            "AND tgrelid = 'accounts_user'::regclass"
        )
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_the_runtime_role_cannot_forge_or_erase_captured_changes(cast):
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=settings.DATABASE_APP_ROLE,
        autocommit=True,
    ) as conn:
        # The app role's own change is captured through the trigger...
        conn.execute("UPDATE accounts_user SET job_title = 'Nurse' WHERE id = %s", [cast.clinician.pk])
        assert (
            conn.execute(
                "SELECT db_user FROM audit_rowchange WHERE table_name = 'accounts_user' AND operation = 'UPDATE'"
            ).fetchone()[0]
            == settings.DATABASE_APP_ROLE
        )
        # ...but it cannot write, change or erase the record itself.
        for statement in (
            "INSERT INTO audit_rowchange (table_name, operation, row_pk, changed_columns, db_user, "
            "application_name, transaction_id, changed_at) VALUES ('x', 'UPDATE', '1', '{}', 'x', '', 1, now())",
            "UPDATE audit_rowchange SET db_user = 'someone'",
            "DELETE FROM audit_rowchange",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
