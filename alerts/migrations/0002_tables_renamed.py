"""Give the clock engine's tables this app's names, and move what pointed at the old names.

- Tables (and the escalation step's many-to-many table) are renamed in place: rows, indexes,
  constraints and triggers attached to them stay.
- The trigger that keeps concerns_concern.next_due_at (the queue's order) is rebuilt under this
  app's name, since its function body names the deadline table.
- Content types (and so the permissions granted to groups) follow the models.
"""

from django.db import migrations

MOVED_MODELS = [
    "deadline",
    "alert",
    "dutyshift",
    "escalationpolicy",
    "escalationstep",
    "leave",
    "outboxmessage",
    "notification",
    "deliveryattempt",
]


def next_due_sql(prefix: str, table: str) -> str:
    """The trigger keeping concerns_concern.next_due_at, its functions named with ``prefix`` and
    reading ``table``; the trigger itself sits on the table as it is named now (alerts_deadline).

    It fires only when a deadline's due time, state or concern changes (the sweep's step and
    next_fire_at updates do not fire it). Lock order stays deadline first, then concern.
    """
    return f"""
SET LOCAL check_function_bodies = off;
CREATE OR REPLACE FUNCTION {prefix}_refresh_next_due(target bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE concerns_concern c
       SET next_due_at = d.next_due
      FROM (SELECT min(due_at) AS next_due FROM {table}
             WHERE concern_id = target AND state = 'open') d
     WHERE c.id = target AND c.next_due_at IS DISTINCT FROM d.next_due;
$$;

CREATE OR REPLACE FUNCTION {prefix}_deadline_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.concern_id IS NOT NULL THEN
        PERFORM {prefix}_refresh_next_due(NEW.concern_id);
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.concern_id IS NOT NULL
       AND (TG_OP = 'DELETE' OR OLD.concern_id IS DISTINCT FROM NEW.concern_id) THEN
        PERFORM {prefix}_refresh_next_due(OLD.concern_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER {prefix}_deadline_next_due
    AFTER INSERT OR DELETE OR UPDATE OF due_at, state, concern_id ON alerts_deadline
    FOR EACH ROW EXECUTE FUNCTION {prefix}_deadline_changed();
"""


def drop_next_due_sql(prefix: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {prefix}_deadline_next_due ON alerts_deadline;
DROP FUNCTION IF EXISTS {prefix}_deadline_changed();
DROP FUNCTION IF EXISTS {prefix}_refresh_next_due(bigint);
"""


def move_content_types(apps, schema_editor, *, source="escalation", target="alerts"):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    # Stale rows under the target label (made by an earlier migrate) would collide; the moved
    # rows carry the permissions granted to groups, so they are the ones kept.
    moving = content_types.filter(app_label=source, model__in=MOVED_MODELS)
    content_types.filter(app_label=target, model__in=moving.values("model")).delete()
    moving.update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="alerts", target="escalation")


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        *[migrations.AlterModelTable(name=name, table=None) for name in MOVED_MODELS],
        # Runs after the renames, so the function bodies can name alerts_deadline.
        migrations.RunSQL(
            drop_next_due_sql("escalation") + next_due_sql("alerts", "alerts_deadline"),
            # Backwards the table takes its old name just after this step.
            drop_next_due_sql("alerts") + next_due_sql("escalation", "escalation_deadline"),
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
