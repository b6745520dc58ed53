"""The clock engine's models now belong to the ``alerts`` app (state only; alerts 0001 and 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0006_concern_next_due_at_trigger"),
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="outboxmessage",
                    name="alert",
                ),
                migrations.RemoveField(
                    model_name="deadline",
                    name="concern",
                ),
                migrations.RemoveField(
                    model_name="deadline",
                    name="policy",
                ),
                migrations.RemoveField(
                    model_name="deadline",
                    name="team",
                ),
                migrations.RemoveField(
                    model_name="deliveryattempt",
                    name="message",
                ),
                migrations.RemoveField(
                    model_name="dutyshift",
                    name="team",
                ),
                migrations.RemoveField(
                    model_name="dutyshift",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="escalationstep",
                    name="policy",
                ),
                migrations.RemoveField(
                    model_name="escalationstep",
                    name="named_people",
                ),
                migrations.RemoveField(
                    model_name="leave",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="message",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="outboxmessage",
                    name="concern",
                ),
                migrations.RemoveField(
                    model_name="outboxmessage",
                    name="recipient",
                ),
                migrations.DeleteModel(
                    name="Alert",
                ),
                migrations.DeleteModel(
                    name="Deadline",
                ),
                migrations.DeleteModel(
                    name="DeliveryAttempt",
                ),
                migrations.DeleteModel(
                    name="DutyShift",
                ),
                migrations.DeleteModel(
                    name="EscalationPolicy",
                ),
                migrations.DeleteModel(
                    name="EscalationStep",
                ),
                migrations.DeleteModel(
                    name="Leave",
                ),
                migrations.DeleteModel(
                    name="Notification",
                ),
                migrations.DeleteModel(
                    name="OutboxMessage",
                ),
            ],
        ),
    ]
