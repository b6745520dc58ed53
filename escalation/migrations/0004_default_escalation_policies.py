"""Seed the default escalation policies: how long each obligation may take, who hears when not.

Administrators change them in the Django admin afterwards; this migration never overwrites an
existing row. The values are frozen here, as first seeded: later changes are new migrations.
"""

from django.db import migrations

WORKING_DAY = 8 * 60  # minutes in the default 09:00-17:00 working day

# (step number, minutes after the due time, recipients)
# Internal acknowledgement ladder: at the deadline the owner or on-duty lead and deputies;
# 30 minutes later the safeguarding manager; 2 hours later the named lead.
ACK_STEPS = [(1, 0, "duty_leads"), (2, 30, "safeguarding_manager"), (3, 120, "named_lead")]
# External and client-level obligations: chase the owner at the deadline, then the manager.
CHASE_STEPS = [(1, 0, "duty_leads"), (2, 120, "safeguarding_manager")]

# (kind, urgency, jurisdiction, minutes, basis, description, steps)
POLICIES = [
    (
        "acknowledge_concern",
        "immediate",
        "",
        15,
        "elapsed",
        "Immediate danger: acknowledge within 15 minutes, at any hour.",
        ACK_STEPS,
    ),
    (
        "acknowledge_concern",
        "same_day",
        "",
        60,
        "working",
        "Same day: acknowledge within 1 working hour (domain 4.3).",
        ACK_STEPS,
    ),
    (
        "acknowledge_concern",
        "routine",
        "",
        4 * 60,
        "working",
        "Routine: acknowledge within 4 working hours (domain 4.3).",
        ACK_STEPS,
    ),
    ("acknowledge_concern", "", "", 4 * 60, "working", "Any other urgency: 4 working hours.", ACK_STEPS),
    (
        "referral_response",
        "",
        "",
        WORKING_DAY,
        "working",
        "A local authority decides within 1 working day (Working Together 2023; Wales: 1 working day).",
        CHASE_STEPS,
    ),
    (
        "written_confirmation",
        "",
        "",
        24 * 60,
        "elapsed",
        "Confirm a phoned referral in writing within 24 hours (Wales procedures; best practice UK-wide).",
        CHASE_STEPS,
    ),
    (
        "lado_task",
        "",
        "",
        WORKING_DAY,
        "working",
        "Tell the LADO within 1 working day (England and elsewhere).",
        CHASE_STEPS,
    ),
    ("lado_task", "", "wales", 24 * 60, "elapsed", "Wales: tell the designated officer within 24 hours.", CHASE_STEPS),
    ("client_informed_review", "", "", 0, "working", "Due at the opening of the review date.", CHASE_STEPS),
    ("sharing_review", "", "", 0, "working", "Due at the opening of the review date.", CHASE_STEPS),
    ("limits_revisit", "", "", 0, "working", "Due at the opening of the revisit date.", CHASE_STEPS),
]


def seed(apps, schema_editor):
    policy_model = apps.get_model("escalation", "EscalationPolicy")
    step_model = apps.get_model("escalation", "EscalationStep")
    for kind, urgency, jurisdiction, minutes, basis, description, steps in POLICIES:
        policy, created = policy_model.objects.get_or_create(
            kind=kind,
            urgency=urgency,
            jurisdiction=jurisdiction,
            defaults={"duration_minutes": minutes, "duration_basis": basis, "description": description},
        )
        if created:
            for number, delay, recipients in steps:
                step_model.objects.create(policy=policy, number=number, delay_minutes=delay, recipients=recipients)


class Migration(migrations.Migration):
    dependencies = [("escalation", "0003_clocks")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
