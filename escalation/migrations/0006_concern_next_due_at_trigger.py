"""Keep concerns_concern.next_due_at equal to the earliest due time of the concern's open deadlines.

A trigger rather than service code, so no path that opens, re-times or closes a deadline can
forget it. It fires only when a deadline's due time, state or concern changes (the sweep's
step and next_fire_at updates do not fire it). Lock order stays deadline first, then concern,
as everywhere else (acknowledge, close).
"""

from django.db import migrations

REFRESH = """
CREATE OR REPLACE FUNCTION escalation_refresh_next_due(target bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE concerns_concern c
       SET next_due_at = d.next_due
      FROM (SELECT min(due_at) AS next_due FROM escalation_deadline
             WHERE concern_id = target AND state = 'open') d
     WHERE c.id = target AND c.next_due_at IS DISTINCT FROM d.next_due;
$$;

CREATE OR REPLACE FUNCTION escalation_deadline_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.concern_id IS NOT NULL THEN
        PERFORM escalation_refresh_next_due(NEW.concern_id);
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.concern_id IS NOT NULL
       AND (TG_OP = 'DELETE' OR OLD.concern_id IS DISTINCT FROM NEW.concern_id) THEN
        PERFORM escalation_refresh_next_due(OLD.concern_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER escalation_deadline_next_due
    AFTER INSERT OR DELETE OR UPDATE OF due_at, state, concern_id ON escalation_deadline
    FOR EACH ROW EXECUTE FUNCTION escalation_deadline_changed();

UPDATE concerns_concern c SET next_due_at = d.next_due
  FROM (SELECT concern_id, min(due_at) AS next_due FROM escalation_deadline
         WHERE state = 'open' AND concern_id IS NOT NULL GROUP BY concern_id) d
 WHERE c.id = d.concern_id;
"""

DROP = """
DROP TRIGGER IF EXISTS escalation_deadline_next_due ON escalation_deadline;
DROP FUNCTION IF EXISTS escalation_deadline_changed();
DROP FUNCTION IF EXISTS escalation_refresh_next_due(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0005_referral_sharing_decision_name_trigram"),
        ("concerns", "0004_concern_next_due_at"),
    ]
    operations = [migrations.RunSQL(REFRESH, DROP)]
