"""Writes about people and teams."""

from collections.abc import Sequence

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Team, User
from accounts.roles import Role


def ensure_role_groups() -> dict[str, Group]:
    return {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}


@transaction.atomic
def upsert_user(
    *,
    email: str,
    full_name: str,
    password: str,
    roles: list[str],
    teams: Sequence[Team] = (),
    covered_teams: Sequence[Team] = (),
    covers_all_teams: bool = False,
    job_title: str = "",
) -> tuple[User, bool]:
    """Create or update a user so that running it twice changes nothing the second time."""
    groups = ensure_role_groups()
    user, created = User.objects.get_or_create(
        email=email.lower(),
        defaults={"full_name": full_name, "job_title": job_title, "covers_all_teams": covers_all_teams},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    user.groups.set([groups[r] for r in roles])
    user.teams.set(teams)
    user.covered_teams.set(covered_teams)
    return user, created
