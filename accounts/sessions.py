"""The session store: Django's database sessions, with the idle limit's expiry pushed on by one
UPDATE of that column, at most once a minute, when nothing else in the session changed.

Every foreground request saves the session (SESSION_SAVE_EVERY_REQUEST is the idle limit).
Django's store re-encodes and re-signs the whole session and writes every column through a
model save in a transaction of its own, on every click, when nearly always only the expiry has
moved. Here an unchanged session's expiry is written only once it would move by more than
``expiry_write_interval()`` (a minute for the 15-minute limit): a session then ends between 14
and 15 minutes after the person's last action, never later. The idle dialog asks the server for
the stored expiry (accounts.views.session_status), so its warning matches what the server does.

A session whose contents changed ("Stay signed in" marks it so), a new one, or one whose key
was cycled at sign-in is saved exactly as Django saves it.

Selected by ``SESSION_ENGINE = "accounts.sessions"``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import connections, router
from django.utils import timezone

# The most an unchanged session's stored expiry may lag behind the idle limit, in seconds.
EXPIRY_WRITE_SECONDS = 60


def expiry_write_interval() -> timedelta:
    """A minute, or a fifteenth of a shorter idle limit (so that a short limit still slides)."""
    return timedelta(seconds=min(EXPIRY_WRITE_SECONDS, settings.SESSION_COOKIE_AGE // 15))


class SessionStore(db.SessionStore):
    stored_expiry = None

    def _get_session_from_db(self):
        # Django's store reads the row through the ORM, whose building of this one-table read
        # took longer than PostgreSQL's running of it, on every request. The same read, written out.
        table = self.model._meta.db_table
        with connections[router.db_for_read(self.model)].cursor() as cursor:
            cursor.execute(
                f"SELECT session_data, expire_date FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            # Missing or expired: as Django's store does, a new key is made when it is saved.
            self._session_key = None
            self.stored_expiry = None
            return None
        # What the row says now: the idle limit the server enforces until the next write.
        self.stored_expiry = row[1]
        return self.model(session_key=self.session_key, session_data=row[0], expire_date=row[1])

    def save(self, must_create=False):
        if must_create or self.session_key is None or self.modified:
            super().save(must_create=must_create)
            self.stored_expiry = self.get_expiry_date()
            return
        expiry = self.get_expiry_date()
        if self.stored_expiry is not None and expiry - self.stored_expiry < expiry_write_interval():
            return
        # One statement in autocommit is atomic on its own; the data is as it was loaded.
        using = router.db_for_write(self.model)
        updated = (
            self.model._default_manager.using(using).filter(session_key=self.session_key).update(expire_date=expiry)
        )
        if not updated:
            # Ended meanwhile (signed out elsewhere): as Django's store does, the request is told.
            raise UpdateError
        self.stored_expiry = expiry
