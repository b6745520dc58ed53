"""Changes to core tables made outside the app (raw SQL) are captured by database triggers."""

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from accounts.models import User
from audit.append_only import captured_tables
from audit.db import CAPTURE_TRIGGER, attach_row_capture
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


def test_the_capture_trigger_follows_the_models_after_every_migrate(db):
    """Exactly the tables whose models say capture_row_changes = True, whatever was there before."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {CAPTURE_TRIGGER} ON concerns_concern")
        cursor.execute(
            f"CREATE TRIGGER {CAPTURE_TRIGGER} AFTER INSERT ON concerns_concerndraft "
            f"FOR EACH ROW EXECUTE FUNCTION {CAPTURE_TRIGGER}()"
        )
    attach_row_capture()
    attach_row_capture()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
            [CAPTURE_TRIGGER],
        )
        attached = sorted(row[0] for row in cursor.fetchall())
    assert attached == captured_tables()
    assert {"accounts_user", "concerns_concern", "consent_sharingdecision", "alerts_deadline"} <= set(attached)


@pytest.mark.django_db(transaction=True)
def test_the_runtime_roles_own_changes_are_captured(cast):
    """The capture function writes as its owner: the runtime role, which may not INSERT into
    audit_rowchange (tests/audit/test_append_only.py), still has its changes recorded."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=settings.DATABASE_APP_ROLE,
        autocommit=True,
    ) as conn:
        conn.execute("UPDATE accounts_user SET job_title = 'Nurse' WHERE id = %s", [cast.clinician.pk])
    change = (
        RowChange.objects.filter(table_name="accounts_user", operation="UPDATE", row_pk=str(cast.clinician.pk))
        .order_by("-id")
        .first()
    )
    assert change.db_user == settings.DATABASE_APP_ROLE and change.changed_columns == ["job_title"]
