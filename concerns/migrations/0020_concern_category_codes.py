"""A copy of each concern's category codes on its row, and an index of the open concerns' codes.

The queue's category filter searched the links (an EXISTS over concerns_concern_categories),
which hashed every link of the category, closed concerns' included; it now reads the open
concerns' codes from a GIN index (``category_codes @> ARRAY[code]``). Existing concerns get
their codes from their links (``concerns.category_codes``: the guard steps aside for that one
statement, in this migration's transaction), before the index is built over them.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

from concerns.category_codes import fill_category_codes_from_links


def fill_from_links(apps, schema_editor):
    fill_category_codes_from_links(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0019_queue_by_reference_reads_open_concerns"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="category_codes",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=60), blank=True, default=list, editable=False, size=None
            ),
        ),
        migrations.RunPython(fill_from_links, migrations.RunPython.noop),
        # The planner's statistics for the new column, before the first queue asks for them.
        migrations.RunSQL("ANALYZE concerns_concern", migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="concern",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(
                    ("status__in", ["submitted", "acknowledged", "triaged", "referred", "monitoring", "reopened"])
                ),
                fields=["category_codes"],
                name="concern_queue_category_idx",
            ),
        ),
    ]
