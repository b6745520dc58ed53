"""Seed the "decide what to do" obligation's policies: opened when a lead acknowledges a concern,
met by the lead's triage decision (refer, advise and monitor, or no further action).

No national standard sets an internal decision time; these defaults follow the safeguarding
lead's aim of deciding the same working day, so that an agency's one-working-day clock (the
local authority, the LADO) can still be met:

- immediate danger: 1 hour at any hour;
- same day: 4 working hours after the acknowledgement;
- routine (and any other urgency): 1 working day after the acknowledgement.

Counted on the team's working calendar (its nation's bank holidays). Administrators change them
in the Django admin; this migration never overwrites an existing row.
"""

from django.db import migrations

WORKING_DAY = 8 * 60  # minutes in the default 09:00-17:00 working day

# (step number, minutes after the due time, recipients)
# Immediate danger escalates as fast as its acknowledgement: the managers after 30 minutes.
URGENT_STEPS = [(1, 0, "duty_leads"), (2, 30, "safeguarding_manager"), (3, 120, "named_lead")]
# Otherwise the owner at the due time, the managers an hour later, the named lead after four.
DECIDE_STEPS = [(1, 0, "duty_leads"), (2, 60, "safeguarding_manager"), (3, 240, "named_lead")]

# (urgency, minutes, basis, description, steps)
POLICIES = [
    ("immediate", 60, "elapsed", "Immediate danger: decide within 1 hour of acknowledging, at any hour.", URGENT_STEPS),
    ("same_day", 4 * 60, "working", "Same day: decide within 4 working hours of acknowledging.", DECIDE_STEPS),
    ("routine", WORKING_DAY, "working", "Routine: decide within 1 working day of acknowledging.", DECIDE_STEPS),
    ("", WORKING_DAY, "working", "Any other urgency: decide within 1 working day of acknowledging.", DECIDE_STEPS),
]


def seed(apps, schema_editor):
    policy_model = apps.get_model("alerts", "EscalationPolicy")
    step_model = apps.get_model("alerts", "EscalationStep")
    for urgency, minutes, basis, description, steps in POLICIES:
        policy, created = policy_model.objects.get_or_create(
            kind="decide_concern",
            urgency=urgency,
            jurisdiction="",
            defaults={"duration_minutes": minutes, "duration_basis": basis, "description": description},
        )
        if created:
            for number, delay, recipients in steps:
                step_model.objects.create(policy=policy, number=number, delay_minutes=delay, recipients=recipients)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0003_decide_obligation_and_done_notifications")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
