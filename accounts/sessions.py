"""The session store: Django's database sessions, with the idle limit's expiry pushed on by one
UPDATE of that column when nothing else in the session changed.

Every foreground request saves the session (SESSION_SAVE_EVERY_REQUEST is the idle limit).
Django's store re-encodes and re-signs the whole session and writes every column through a
model save in a transaction of its own: about a twentieth of a busy page's time, when nearly
always only the expiry has moved. A session whose contents changed, a new one, or one whose
key was cycled at sign-in is saved exactly as Django saves it.

Selected by ``SESSION_ENGINE = "accounts.sessions"``.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import router


class SessionStore(db.SessionStore):
    def save(self, must_create=False):
        if must_create or self.session_key is None or self.modified:
            return super().save(must_create=must_create)
        # One statement in autocommit is atomic on its own; the data is as it was loaded.
        using = router.db_for_write(self.model)
        updated = (
            self.model._default_manager.using(using)
            .filter(session_key=self.session_key)
            .update(expire_date=self.get_expiry_date())
        )
        if not updated:
            # Ended meanwhile (signed out elsewhere): as Django's store does, the request is told.
            raise UpdateError
        return None
