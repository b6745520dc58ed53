"""What every signed-in request needs to know about its person, read once and cached.

Every page (and the bell's count, which each open page polls) asks the same two questions
before doing its own work: which roles the person holds, and whether they have a second
factor. Each was a query per request. They change rarely and only through a few paths, so
they are kept in the cache (Redis), one entry per person, and dropped whenever one of those
paths changes them: a role added, removed or cleared (either side of the many-to-many), a
role group renamed or deleted, an authenticator added, changed or removed.

The entry is dropped at once and again when the changing transaction commits, so a request
that read the old rows while the change was in flight cannot keep them. ``ACCESS_CACHE_SECONDS``
bounds what any path not listed here (raw SQL in a maintenance session) could leave stale.
A cache that is down is not an error: the facts are then read from the database.

The cache key carries the account's creation time as well as its id, so an id reused by a
recreated database (the test suite's) never meets another account's entry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessFacts:
    role_names: frozenset[str]
    has_second_factor: bool


def person_cache_key(namespace: str, user_id: int, joined_at) -> str:
    """A cache key for one person's entry: the account's creation time with its id, so an id
    reused by a recreated database never meets another account's entry."""
    return f"{namespace}:{user_id}:{joined_at.timestamp() if joined_at else 0}"


def _key(user_id: int, joined_at) -> str:
    return person_cache_key("access:v1", user_id, joined_at)


def _read_from_database(user) -> AccessFacts:
    from allauth.mfa.models import Authenticator

    # The factors that count; recovery codes are only a fallback for these.
    factor_types = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
    roles = frozenset(user.groups.values_list("name", flat=True))
    second_factor = Authenticator.objects.filter(user_id=user.pk, type__in=factor_types).exists()
    return AccessFacts(role_names=roles, has_second_factor=second_factor)


# Bumped by every change this process makes, so a request that changes a person's roles or
# factors (enrolling the first authenticator) sees the change in its own later checks.
_generation = 0


def access_facts(user) -> AccessFacts:
    """The person's roles and second-factor state: once per request, from the cache when it has them."""
    # getattr and setattr, not the instance's __dict__: request.user is a lazy wrapper whose own
    # __dict__ is not the person's, and the middleware asks through both.
    memo = getattr(user, "_access_facts", None)
    if memo is not None and memo[0] == _generation:
        return memo[1]
    key = _key(user.pk, user.date_joined)
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not sign anybody out
        logger.warning("access cache unavailable; reading roles from the database", exc_info=True)
        cached = None
    if cached is not None:
        facts = AccessFacts(role_names=frozenset(cached[0]), has_second_factor=bool(cached[1]))
    else:
        facts = _read_from_database(user)
        try:
            cache.set(key, (sorted(facts.role_names), facts.has_second_factor), settings.ACCESS_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("access cache unavailable; not caching", exc_info=True)
    user._access_facts = (_generation, facts)
    return facts


def forget(user_ids) -> None:
    """Drop the cached facts of these people, now and when the current transaction commits."""
    from accounts.models import User

    ids = [pk for pk in user_ids if pk is not None]
    if ids:
        _drop([_key(pk, joined) for pk, joined in User.objects.filter(pk__in=ids).values_list("pk", "date_joined")])


def _drop(keys: list[str]) -> None:
    global _generation
    _generation += 1

    def drop():
        try:
            cache.delete_many(keys)
        except Exception:  # noqa: BLE001 - the entries then expire after ACCESS_CACHE_SECONDS
            logger.warning("access cache unavailable; entries expire on their own", exc_info=True)

    drop()
    transaction.on_commit(drop)


# --- Signal receivers (connected in accounts.apps.AccountsConfig.ready) ----------------------


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    from accounts.models import User

    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    if not reverse:  # user.groups.add(...): ``instance`` is the person
        _drop([_key(instance.pk, instance.date_joined)])
    elif pk_set:  # group.user_set.add(...): ``pk_set`` are the people
        forget(pk_set)
    elif action == "pre_clear":  # group.user_set.clear(): who is in it, before they go
        forget(User.objects.filter(groups=instance).values_list("pk", flat=True))


def _group_changed(sender, instance, **kwargs):
    """A renamed or deleted role group changes the roles of everybody in it."""
    if instance.pk is not None:
        forget(list(instance.user_set.values_list("pk", flat=True)))


def _authenticator_changed(sender, instance, **kwargs):
    forget([instance.user_id])


def _covered_teams_changed(sender, instance, action, reverse, **kwargs):
    if action.startswith("post_") and not reverse:
        instance.__dict__.pop("_covered_team_ids", None)


def connect_receivers():
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    from accounts.models import User

    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="accounts.access.groups")
    m2m_changed.connect(
        _covered_teams_changed, sender=User.covered_teams.through, dispatch_uid="accounts.access.covered_teams"
    )
    post_save.connect(_group_changed, sender=Group, dispatch_uid="accounts.access.group_saved")
    pre_delete.connect(_group_changed, sender=Group, dispatch_uid="accounts.access.group_deleted")
    post_save.connect(_authenticator_changed, sender=Authenticator, dispatch_uid="accounts.access.factor_saved")
    post_delete.connect(_authenticator_changed, sender=Authenticator, dispatch_uid="accounts.access.factor_deleted")
