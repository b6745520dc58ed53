"""The demo organisation's teams and people (used by ``manage.py seed_demo``)."""

from accounts.models import Organisation, Team
from accounts.roles import Role
from accounts.services import upsert_user

DEMO_TEAMS = [
    ("Children and families therapy", "children-families"),
    ("Adult psychological therapies", "adult-therapies"),
]


def seed(*, password: str, log, **context) -> dict:
    teams = [Team.objects.get_or_create(code=code, defaults={"name": name})[0] for name, code in DEMO_TEAMS]
    team_a, team_b = teams
    people = [
        dict(
            email="clinician@demo.test",
            full_name="Cara Clinician",
            roles=[Role.CLINICIAN],
            teams=[team_a],
            job_title="Psychotherapist",
        ),
        dict(
            email="clinician2@demo.test",
            full_name="Colin Clinician",
            roles=[Role.CLINICIAN],
            teams=[team_b],
            job_title="Counsellor",
        ),
        dict(
            email="lead@demo.test",
            full_name="Leah Lead",
            roles=[Role.LEAD],
            teams=[team_a],
            covered_teams=[team_a, team_b],
            job_title="Designated safeguarding lead",
        ),
        dict(
            email="deputy@demo.test",
            full_name="Dev Deputy",
            roles=[Role.DEPUTY],
            teams=[team_a],
            covered_teams=[team_a, team_b],
            job_title="Deputy safeguarding lead",
        ),
        dict(
            email="manager@demo.test",
            full_name="Mina Manager",
            roles=[Role.MANAGER],
            teams=[],
            job_title="Safeguarding manager",
        ),
        dict(
            email="admin@demo.test",
            full_name="Ade Administrator",
            roles=[Role.ADMINISTRATOR],
            teams=[],
            job_title="Portal administrator",
        ),
    ]
    users = {}
    for person in people:
        user, created = upsert_user(password=password, **person)
        users[person["email"]] = user
        log(f"{'Created' if created else 'Kept'} {user.email}")
    organisation = Organisation.current()
    if organisation.allegations_manager_id is None:
        # Hears a concern's alerts when everyone else must not see it (a concern about staff).
        organisation.name = "Demo therapy service"
        organisation.allegations_manager = users["manager@demo.test"]
        organisation.save(update_fields=["name", "allegations_manager"])
        log("Organisation: England; allegations manager manager@demo.test")
    admin = users["admin@demo.test"]
    if not admin.is_staff:
        admin.is_staff = True
        admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    return {"teams": teams, "users": users}
