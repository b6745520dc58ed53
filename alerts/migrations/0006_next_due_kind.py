"""The trigger that keeps concerns_concern.next_due_at now keeps next_due_kind too.

The lead's queue names the deadline it counts down to ("LADO: 3 h left") and filters by the kind
of deadline due next from an index, so the kind is kept beside the time by the same trigger:
the earliest open deadline, and among those due at the same moment the first opened.
"""

from django.db import migrations

REFRESH = """
CREATE OR REPLACE FUNCTION alerts_refresh_next_due(target bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE concerns_concern c
       SET next_due_at = d.due_at, next_due_kind = coalesce(d.kind, '')
      FROM (SELECT 1) one
      LEFT JOIN LATERAL (SELECT due_at, kind FROM alerts_deadline
                          WHERE concern_id = target AND state = 'open' ORDER BY due_at, id LIMIT 1) d ON true
     WHERE c.id = target
       AND (c.next_due_at IS DISTINCT FROM d.due_at OR c.next_due_kind IS DISTINCT FROM coalesce(d.kind, ''));
$$;

UPDATE concerns_concern c SET next_due_kind = d.kind
  FROM (SELECT DISTINCT ON (concern_id) concern_id, kind FROM alerts_deadline
         WHERE state = 'open' AND concern_id IS NOT NULL ORDER BY concern_id, due_at, id) d
 WHERE c.id = d.concern_id;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION alerts_refresh_next_due(target bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE concerns_concern c
       SET next_due_at = d.next_due
      FROM (SELECT min(due_at) AS next_due FROM alerts_deadline
             WHERE concern_id = target AND state = 'open') d
     WHERE c.id = target AND c.next_due_at IS DISTINCT FROM d.next_due;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0005_policy_descriptions_without_internal_references"),
        ("concerns", "0016_queue_next_due_kind_risk_rating_indexes"),
    ]
    operations = [migrations.RunSQL(REFRESH, PREVIOUS)]
