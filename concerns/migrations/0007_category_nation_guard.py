"""The database refuses to link a concern to a category of another nation's list.

A category applies in the nations its row names (``concerns_concerncategory.nations``; an
empty list means every nation). The submit service checks the same rule first and explains it;
this trigger is the guard for anything else that writes the link table (a script, a shell, a
bug). It reads the rows as they are at that moment, so an administrator's change to the lists
applies to the next link without a deploy, and links made earlier are never re-judged.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION concerns_category_nation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    concern_nation text;
    category_code text;
    category_nations text[];
BEGIN
    SELECT jurisdiction INTO concern_nation FROM concerns_concern WHERE id = NEW.concern_id;
    SELECT code, nations INTO category_code, category_nations
      FROM concerns_concerncategory WHERE id = NEW.concerncategory_id;
    IF cardinality(category_nations) > 0 AND NOT (coalesce(concern_nation, '') = ANY(category_nations)) THEN
        RAISE EXCEPTION 'category % is not on the list for %', category_code, concern_nation
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER concerns_category_nation_guard
    BEFORE INSERT ON concerns_concern_categories
    FOR EACH ROW EXECUTE FUNCTION concerns_category_nation_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS concerns_category_nation_guard ON concerns_concern_categories;
DROP FUNCTION IF EXISTS concerns_category_nation_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("concerns", "0006_adult_at_risk_details")]
    operations = [migrations.RunSQL(CREATE, DROP)]
