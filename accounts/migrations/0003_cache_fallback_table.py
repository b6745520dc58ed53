"""The table Django's database cache uses while Redis is unreachable (accounts.cache).

The same shape ``manage.py createcachetable`` would make, created here so every migrate
(and the test database) has it.
"""

from django.db import migrations

CREATE = """
CREATE TABLE IF NOT EXISTS accounts_cache_fallback (
    cache_key varchar(255) NOT NULL PRIMARY KEY,
    value text NOT NULL,
    expires timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS accounts_cache_fallback_expires ON accounts_cache_fallback (expires);
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_team_nation_organisation")]

    operations = [migrations.RunSQL(CREATE, reverse_sql="DROP TABLE IF EXISTS accounts_cache_fallback;")]
