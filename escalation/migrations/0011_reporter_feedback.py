"""Which level of the outcome the reporter is told, chosen by the lead at decision and closure."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0010_default_pack_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="closurerecord",
            name="reporter_feedback",
            field=models.CharField(
                blank=True,
                choices=[
                    ("decision_only", "Only that a decision was made, and by whom"),
                    ("outcome", "The kind of outcome and the agency, not the detail"),
                    ("detail", "The outcome and the agency with the lead's rationale"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="triagerecord",
            name="reporter_feedback",
            field=models.CharField(
                blank=True,
                choices=[
                    ("decision_only", "Only that a decision was made, and by whom"),
                    ("outcome", "The kind of outcome and the agency, not the detail"),
                    ("detail", "The outcome and the agency with the lead's rationale"),
                ],
                max_length=20,
            ),
        ),
    ]
