"""Audit events carry the database clock's time, in order: the runtime role cannot choose it.

record_event reads ``clock_timestamp()`` under the chain lock and inserts at once; this
trigger refuses, for any role but the table's owner, an event whose time is not the database
clock's "now" (within a few seconds) or that would come before the last event, in time or in
id. So someone holding the runtime role's password, even taking the chain lock and computing a
correct hash, cannot add an event backdated into the past. The owner (migrations, the
benchmark loader) is exempt: it could drop the trigger anyway.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_on_database_clock() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    now_at timestamptz := clock_timestamp();
    last_at timestamptz;
    last_id bigint;
BEGIN
    IF current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
        RETURN NEW;
    END IF;
    IF NEW.occurred_at > now_at OR NEW.occurred_at < now_at - interval '30 seconds' THEN
        RAISE EXCEPTION 'audit events carry the database clock: % is not now (%)', NEW.occurred_at, now_at
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT occurred_at, id INTO last_at, last_id FROM audit_auditevent ORDER BY id DESC LIMIT 1;
    IF last_id IS NOT NULL AND (NEW.id <= last_id OR NEW.occurred_at < last_at) THEN
        RAISE EXCEPTION 'audit events are appended in order: event % at % comes before event % at %',
            NEW.id, NEW.occurred_at, last_id, last_at
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS audit_event_on_database_clock ON audit_auditevent;
CREATE TRIGGER audit_event_on_database_clock BEFORE INSERT ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_on_database_clock();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_on_database_clock ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_on_database_clock();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_append_only_guard")]

    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
