"""The concern's risk rating, kept for the lead's queue by a trigger on the triage table.

A trigger, like next_due_at, so no path that records a triage can forget it. The rating is
that of the latest triage record (triage records are append-only: an INSERT is the only change).
"""

from django.db import migrations

REFRESH = """
CREATE OR REPLACE FUNCTION escalation_triage_rated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE concerns_concern SET risk_rating = NEW.risk_rating
     WHERE id = NEW.concern_id AND risk_rating IS DISTINCT FROM NEW.risk_rating;
    RETURN NULL;
END;
$$;

CREATE TRIGGER escalation_triage_risk_rating
    AFTER INSERT ON escalation_triagerecord
    FOR EACH ROW EXECUTE FUNCTION escalation_triage_rated();

UPDATE concerns_concern c SET risk_rating = t.risk_rating
  FROM (SELECT DISTINCT ON (concern_id) concern_id, risk_rating FROM escalation_triagerecord
         ORDER BY concern_id, id DESC) t
 WHERE c.id = t.concern_id;
"""

PREVIOUS = """
DROP TRIGGER IF EXISTS escalation_triage_risk_rating ON escalation_triagerecord;
DROP FUNCTION IF EXISTS escalation_triage_rated();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0011_reporter_feedback"),
        ("concerns", "0016_queue_next_due_kind_risk_rating_indexes"),
    ]
    operations = [migrations.RunSQL(REFRESH, PREVIOUS)]
