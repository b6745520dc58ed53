"""The submitted concern is immutable in the database, whatever the client.

- concerns_concern: an UPDATE that changes any column other than the workflow columns
  (status, owner_id, acknowledged_at, acknowledged_by_id, closed_at) is refused.
- The content child tables and addenda: UPDATE and DELETE are refused row by row.
- TRUNCATE is not blocked (the test suite flushes with it; the runtime role has no reason to).
Also: the sequence behind the human reference SG-YYYY-NNNNNN, and the seeded category lists
(frozen below, so that later edits elsewhere never change what this migration did).
"""

from django.db import migrations

CONTENT_TABLES = [
    "concerns_personatrisk",
    "concerns_allegedperson",
    "concerns_priorreport",
    "concerns_concern_categories",
    "concerns_addendum",
]

CREATE = """
CREATE SEQUENCE IF NOT EXISTS concerns_concern_reference_seq START 1;

CREATE OR REPLACE FUNCTION concerns_refuse_content_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    workflow text[] := ARRAY['status', 'owner_id', 'acknowledged_at', 'acknowledged_by_id', 'closed_at'];
BEGIN
    IF (to_jsonb(NEW) - workflow) IS DISTINCT FROM (to_jsonb(OLD) - workflow) THEN
        RAISE EXCEPTION 'concern % is immutable: submitted content cannot be changed; add an addendum', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER concern_content_immutable
    BEFORE UPDATE ON concerns_concern
    FOR EACH ROW EXECUTE FUNCTION concerns_refuse_content_update();

CREATE OR REPLACE FUNCTION concerns_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the concern record table % is immutable: % refused; add an addendum', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
""" + "".join(
    f"""
CREATE TRIGGER {table}_immutable
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION concerns_refuse_change();
"""
    for table in CONTENT_TABLES
)

DROP = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};\n" for table in CONTENT_TABLES)
    + """
DROP FUNCTION IF EXISTS concerns_refuse_change();
DROP TRIGGER IF EXISTS concern_content_immutable ON concerns_concern;
DROP FUNCTION IF EXISTS concerns_refuse_content_update();
DROP SEQUENCE IF EXISTS concerns_concern_reference_seq;
"""
)

# The default code lists of categories of abuse, as first seeded. Frozen here: administrators
# maintain the live lists in the admin, and later changes to the defaults are new migrations.
ALL = []
ENGLAND, WALES, SCOTLAND, NI = "england", "wales", "scotland", "northern_ireland"
WT = "Working Together to Safeguard Children 2023"
CARE_ACT = "Care and support statutory guidance, chapter 14 (Care Act 2014)"
SSWBA = "Social Services and Well-being (Wales) Act 2014, s.197"
NI_ADULT = "Adult Safeguarding: Prevention and Protection in Partnership (NI, 2015)"
SCOT_ASP = "Adult Support and Protection (Scotland) Act 2007"

# (code, label, population, nations, source)
CATEGORIES = [
    ("child-physical", "Physical abuse", "child", ALL, WT),
    ("child-emotional", "Emotional abuse", "child", ALL, WT),
    ("child-sexual", "Sexual abuse", "child", ALL, WT),
    ("child-neglect", "Neglect", "child", ALL, WT),
    ("child-sexual-exploitation", "Child sexual exploitation", "child", ALL, WT),
    ("child-criminal-exploitation", "Child criminal exploitation", "child", ALL, WT),
    ("child-online", "Online abuse", "child", ALL, WT),
    ("child-domestic-abuse", "Domestic abuse (child as victim)", "child", ALL, WT),
    ("child-fgm", "Female genital mutilation", "child", ALL, WT),
    ("child-on-child", "Child-on-child abuse", "child", ALL, WT),
    ("child-extra-familial", "Extra-familial harm", "child", ALL, WT),
    ("adult-physical", "Physical abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-domestic-abuse", "Domestic abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-sexual", "Sexual abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-psychological", "Psychological or emotional abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-financial", "Financial or material abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-modern-slavery", "Modern slavery", "adult", [ENGLAND], CARE_ACT),
    ("adult-discriminatory", "Discriminatory abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-organisational", "Organisational abuse", "adult", [ENGLAND], CARE_ACT),
    ("adult-neglect", "Neglect and acts of omission", "adult", [ENGLAND], CARE_ACT),
    ("adult-self-neglect", "Self-neglect", "adult", [ENGLAND], CARE_ACT),
    ("wales-physical", "Physical abuse", "both", [WALES], SSWBA),
    ("wales-sexual", "Sexual abuse", "both", [WALES], SSWBA),
    ("wales-psychological", "Psychological abuse", "both", [WALES], SSWBA),
    ("wales-emotional", "Emotional abuse", "both", [WALES], SSWBA),
    ("wales-financial", "Financial abuse", "both", [WALES], SSWBA),
    ("wales-neglect", "Neglect", "both", [WALES], SSWBA),
    ("ni-physical", "Physical abuse", "adult", [NI], NI_ADULT),
    ("ni-sexual", "Sexual violence and abuse", "adult", [NI], NI_ADULT),
    ("ni-psychological", "Psychological or emotional abuse", "adult", [NI], NI_ADULT),
    ("ni-financial", "Financial abuse", "adult", [NI], NI_ADULT),
    ("ni-institutional", "Institutional abuse", "adult", [NI], NI_ADULT),
    ("ni-neglect", "Neglect", "adult", [NI], NI_ADULT),
    ("ni-exploitation", "Exploitation", "adult", [NI], NI_ADULT),
    ("scotland-physical-harm", "Physical harm", "adult", [SCOTLAND], SCOT_ASP),
    ("scotland-psychological-harm", "Psychological harm", "adult", [SCOTLAND], SCOT_ASP),
    (
        "scotland-financial-harm",
        "Financial harm (unlawful conduct affecting property or money)",
        "adult",
        [SCOTLAND],
        SCOT_ASP,
    ),
    ("scotland-self-harm", "Self-harm", "adult", [SCOTLAND], SCOT_ASP),
    ("unclear", "Unclear or not yet known", "both", ALL, ""),
]


def seed_categories(apps, schema_editor):
    category = apps.get_model("concerns", "ConcernCategory")
    existing = set(category.objects.values_list("code", flat=True))
    category.objects.bulk_create(
        [
            category(code=code, label=label, population=population, nations=nations, source=source, order=order * 10)
            for order, (code, label, population, nations, source) in enumerate(CATEGORIES, start=1)
            if code not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("concerns", "0002_concern_content")]
    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunPython(seed_categories, migrations.RunPython.noop),
    ]
