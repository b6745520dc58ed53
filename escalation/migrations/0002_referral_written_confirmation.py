from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("escalation", "0001_workflow")]

    operations = [
        migrations.AddField(
            model_name="externalreferral",
            name="confirmed_in_writing_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
