"""Realistic data, fast: people through the ORM, everything numerous through COPY.

``seed_people`` makes the organisation (teams, clinicians, leads, managers, clients);
``generate`` adds concerns with their parts (people at risk, alleged persons, prior
reports, categories), their deadlines and referrals, and an audit trail with a valid hash
chain (computed here in one pass with ``audit.chain.event_hash``, appended after whatever
the trail already holds). Both work on the current Django connection: the benchmark's own
database, or the test database for the smoke test (inside its transaction).

The generator names only the columns it cares about; ``benchmarks.bulk`` fills the rest
from the models' defaults, so a field added by another part does not break it.
"""

from __future__ import annotations

import heapq
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection

from benchmarks.bulk import copy_rows

BENCH_PASSWORD = "bench-password-not-secret-1"  # noqa: S105 - benchmark personas only
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - base32; benchmark personas only


@dataclass(frozen=True)
class Scale:
    name: str
    concerns: int
    open_concerns: int  # the newest ones; the rest are closed
    audit_events: int


SCALES = {
    # The smoke test: keeps the generator from rotting, in a few seconds.
    "tiny": Scale("tiny", concerns=200, open_concerns=200, audit_events=2_000),
    # The sweep's baseline: the same organisation with 1k concerns.
    "small": Scale("small", concerns=1_000, open_concerns=1_000, audit_events=10_000),
    "default": Scale("default", concerns=100_000, open_concerns=100_000, audit_events=1_000_000),
    "large": Scale("large", concerns=1_000_000, open_concerns=100_000, audit_events=10_000_000),
}


@dataclass
class People:
    teams: list  # [(id, code, name)]
    clinicians_by_team: dict  # team id -> [(id, email)]
    leads_by_team: dict  # team id -> [(id, email)]
    bench_lead: tuple  # (id, email): covers every team, the queue figure's lead
    manager: tuple
    clinician: tuple  # (id, email): the intake figure's clinician
    clients_by_team: dict  # team id -> [client id]


# --- Words -------------------------------------------------------------------------------------

SENTENCES = [
    "She said that her stepfather shouts at her most evenings and that she is scared to go home.",
    "He told me he had not eaten since yesterday lunchtime and that there was no food in the house.",
    "I noticed bruising on the upper left arm, about the size of a thumbprint, in several places.",
    "The client became tearful and asked me not to tell anyone, then said she wanted it to stop.",
    "His mother arrived late to collect him and appeared to be under the influence of alcohol.",
    "She described being made to stay in her room for long periods without being allowed out.",
    "The foster carer was overheard telling the child that nobody would believe anything he said.",
    "He said an older boy at the youth club had been sending him messages asking for photographs.",
    "I asked open questions only and wrote down her words as soon as the session ended.",
    "There were no signs of injury that I could see, but his clothes were dirty and too small.",
    "The client disclosed that her partner controls all of the money and checks her phone.",
    "She said it happened when she was about eight, at her uncle's house, over several summers.",
    "I am concerned that the younger siblings may be at risk because they live in the same house.",
    "He appeared withdrawn, avoided eye contact and flinched when a door closed loudly.",
    "I consulted my supervisor by phone before completing this report.",
    "The school nurse had raised a similar concern last term, according to the client's mother.",
    "My opinion is that the risk of significant harm is present and that a referral is needed today.",
    "She has a learning disability and relies on the carer for help with personal care.",
    "The carer has been taking money from her account, she thinks, but she is not sure how much.",
    "He said that he sometimes sleeps in the car with his dad when they cannot go home.",
]
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jordan",
    "Casey",
    "Robin",
    "Morgan",
    "Taylor",
    "Jamie",
    "Chris",
    "Pat",
    "Lee",
    "Ash",
    "Drew",
    "Kai",
    "Rowan",
    "Sasha",
    "Toni",
    "Jo",
    "Charlie",
    "Frankie",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Hughes",
    "Edwards",
    "Lewis",
    "Khan",
    "Begum",
    "Murphy",
]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605",
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
]
TEAM_NAMES = [
    "Children and families",
    "Adult therapies",
    "Perinatal",
    "Eating disorders",
    "Neurodevelopmental",
    "Early intervention",
    "Learning disabilities",
    "Older adults",
    "Crisis team",
    "Forensic",
    "Substance misuse",
    "Looked-after children",
    "Youth offending",
    "Psychology",
    "Counselling",
    "Family therapy",
    "Art therapies",
    "Speech and language",
    "Occupational therapy",
    "Home treatment",
]


def _paragraphs(rng: random.Random, count: int, low: int, high: int) -> list[str]:
    return [" ".join(rng.choices(SENTENCES, k=rng.randint(low, high))) for _ in range(count)]


# --- People ------------------------------------------------------------------------------------


def seed_people(
    *, teams: int = 20, clinicians_per_team: int = 20, clients_per_team: int = 250, seed: int = 7, log=print
) -> People:
    """The organisation: teams, clinicians, a lead per team, one lead for everything, managers."""
    from django.contrib.auth.models import Group

    from accounts.models import Team, User
    from accounts.roles import Role
    from consent.models import Client

    rng = random.Random(seed)
    started = time.monotonic()
    password = make_password(BENCH_PASSWORD)  # hashed once: PBKDF2 per user would take minutes
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
    team_objs = Team.objects.bulk_create(
        [
            Team(
                name=f"{TEAM_NAMES[i % len(TEAM_NAMES)]} {i // len(TEAM_NAMES) + 1}".removesuffix(" 1"),
                code=f"bench-team-{i + 1:02d}",
            )
            for i in range(teams)
        ]
    )

    def person(email, name, **extra):
        return User(email=email, full_name=name, password=password, job_title="", **extra)

    users = []
    plan = []  # (user index, role, team index or None, covers_all)
    for t in range(teams):
        for c in range(clinicians_per_team):
            plan.append((len(users), Role.CLINICIAN, t))
            users.append(
                person(
                    f"clinician{t + 1:02d}-{c + 1:03d}@bench.test",
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                )
            )
        plan.append((len(users), Role.LEAD, t))
        users.append(person(f"lead{t + 1:02d}@bench.test", f"Lead {rng.choice(LAST_NAMES)}"))
        plan.append((len(users), Role.DEPUTY, t))
        users.append(person(f"deputy{t + 1:02d}@bench.test", f"Deputy {rng.choice(LAST_NAMES)}"))
    plan.append((len(users), Role.LEAD, None))
    # Covers each team by name: the queue figure's lead sees every open concern.
    users.append(person("lead-all@bench.test", "Lee Everyteam"))
    for m in range(3):
        plan.append((len(users), Role.MANAGER, None))
        users.append(person(f"manager{m + 1}@bench.test", f"Manager {rng.choice(LAST_NAMES)}"))
    users = User.objects.bulk_create(users)

    group_rows, team_rows, cover_rows = [], [], []
    GroupLink = User.groups.through
    TeamLink = User.teams.through
    CoverLink = User.covered_teams.through
    clinicians_by_team, leads_by_team = {}, {}
    for index, role, t in plan:
        user = users[index]
        group_rows.append(GroupLink(user_id=user.pk, group_id=groups[role].pk))
        if t is None:
            continue
        team = team_objs[t]
        team_rows.append(TeamLink(user_id=user.pk, team_id=team.pk))
        if role == Role.CLINICIAN:
            clinicians_by_team.setdefault(team.pk, []).append((user.pk, user.email))
        else:
            cover_rows.append(CoverLink(user_id=user.pk, team_id=team.pk))
            leads_by_team.setdefault(team.pk, []).append((user.pk, user.email))
    bench_lead_user = next(u for u in users if u.email == "lead-all@bench.test")
    cover_rows += [CoverLink(user_id=bench_lead_user.pk, team_id=team.pk) for team in team_objs]
    GroupLink.objects.bulk_create(group_rows)
    TeamLink.objects.bulk_create(team_rows)
    CoverLink.objects.bulk_create(cover_rows)

    bench_lead = next(u for u in users if u.email == "lead-all@bench.test")
    manager = next(u for u in users if u.email == "manager1@bench.test")
    for user in [bench_lead, manager, *[u for u in users if u.email.startswith(("lead", "deputy", "manager"))]]:
        enrol_totp(user)

    clients = []
    for t, team in enumerate(team_objs):
        creator = clinicians_by_team[team.pk][0][0]
        for n in range(clients_per_team):
            clients.append(
                Client(
                    team=team,
                    reference=f"C{t + 1:02d}-{n + 1:05d}",
                    display_name="" if n % 3 else f"{rng.choice(FIRST_NAMES)} {n % 26 + 65:c}.",
                    created_by_id=creator,
                )
            )
    clients = Client.objects.bulk_create(clients, batch_size=2000)
    clients_by_team = {}
    for client in clients:
        clients_by_team.setdefault(client.team_id, []).append(client.pk)
    first_team = team_objs[0].pk
    log(f"  people: {len(users)} users, {teams} teams, {len(clients)} clients in {time.monotonic() - started:.1f}s")
    return People(
        teams=[(t.pk, t.code, t.name) for t in team_objs],
        clinicians_by_team=clinicians_by_team,
        leads_by_team=leads_by_team,
        bench_lead=(bench_lead.pk, bench_lead.email),
        manager=(manager.pk, manager.email),
        clinician=clinicians_by_team[first_team][0],
        clients_by_team=clients_by_team,
    )


def enrol_totp(user):
    """A TOTP authenticator, so the second-factor middleware lets a bench session through."""
    from allauth.mfa.models import Authenticator

    from accounts.allauth_internals import activate_totp

    existing = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    return existing or activate_totp(user, TOTP_SECRET)


def load_people() -> People:
    """The People of a database seeded earlier (the runner's subprocesses)."""
    from accounts.models import Team, User
    from accounts.roles import Role
    from consent.models import Client

    teams = list(Team.objects.filter(code__startswith="bench-team-").order_by("id").values_list("id", "code", "name"))
    clinicians_by_team, leads_by_team = {}, {}
    for user in User.objects.filter(email__endswith="@bench.test").prefetch_related("groups", "teams"):
        roles = {g.name for g in user.groups.all()}
        for team in user.teams.all():
            if Role.CLINICIAN in roles:
                clinicians_by_team.setdefault(team.pk, []).append((user.pk, user.email))
            elif roles & {Role.LEAD, Role.DEPUTY}:
                leads_by_team.setdefault(team.pk, []).append((user.pk, user.email))
    for value in (*clinicians_by_team.values(), *leads_by_team.values()):
        value.sort()
    clients_by_team = {}
    for client_id, team_id in Client.objects.order_by("id").values_list("id", "team_id"):
        clients_by_team.setdefault(team_id, []).append(client_id)
    lead = User.objects.get(email="lead-all@bench.test")
    manager = User.objects.get(email="manager1@bench.test")
    return People(
        teams=teams,
        clinicians_by_team=clinicians_by_team,
        leads_by_team=leads_by_team,
        bench_lead=(lead.pk, lead.email),
        manager=(manager.pk, manager.email),
        clinician=clinicians_by_team[teams[0][0]][0],
        clients_by_team=clients_by_team,
    )


# --- Load helpers ------------------------------------------------------------------------------

CAPTURE_TRIGGER = "audit_capture_row_change"


def _triggers(table: str, name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s", [table, name])
        return cursor.fetchone() is not None


def set_row_capture(tables: list[str], *, enabled: bool) -> None:
    """The row-change capture trigger records each generated row otherwise (a history, not a change)."""
    verb = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        for table in tables:
            if _triggers(table, CAPTURE_TRIGGER):
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} {verb} TRIGGER {CAPTURE_TRIGGER}")


# Keeps concerns_concern.next_due_at and next_due_kind as deadlines are written (alerts
# migrations). During a tuned load it is off: each inserted deadline would look up its concern's
# open deadlines without the concern_id index (dropped for the load), a pass over every deadline
# so far, which made the load quadratic (20k concerns took 17 s, the fifth 20k took 56 s).
NEXT_DUE_TRIGGER = "alerts_deadline_next_due"


def set_next_due_trigger(*, enabled: bool) -> None:
    from alerts.models import Deadline

    table = Deadline._meta.db_table
    if _triggers(table, NEXT_DUE_TRIGGER):
        verb = "ENABLE" if enabled else "DISABLE"
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} {verb} TRIGGER {NEXT_DUE_TRIGGER}")


def fill_next_due(log=print) -> None:
    """What the trigger would have written, for every concern at once: the earliest open
    deadline and its kind (the first opened among those due at the same moment)."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE concerns_concern c
               SET next_due_at = d.due_at, next_due_kind = d.kind
              FROM (SELECT DISTINCT ON (concern_id) concern_id, due_at, kind FROM alerts_deadline
                     WHERE state = 'open' AND concern_id IS NOT NULL
                     ORDER BY concern_id, due_at, id) d
             WHERE c.id = d.concern_id
            """
        )
        updated = cursor.rowcount
    log(f"  next deadline of {updated:,} concerns in {time.monotonic() - started:.1f}s")


def drop_secondary_indexes(tables: list[str]) -> list[str]:
    """Drop the indexes no constraint needs; return their definitions to rebuild after the load."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
              AND NOT i.indisunique
            """,
            [tables],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def create_indexes(definitions: list[str], log=print) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for definition in definitions:
            started = time.monotonic()
            cursor.execute(definition)
            log(f"  index rebuilt in {time.monotonic() - started:.1f}s: {definition[:110]}")


def _max_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0]


def _sync_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)",  # noqa: S608
            [table],
        )


# --- Concerns, parts, deadlines ------------------------------------------------------------------

STATUS_MIX_OPEN = [
    ("submitted", 5),
    ("acknowledged", 25),
    ("triaged", 30),
    ("referred", 20),
    ("monitoring", 15),
    ("reopened", 5),
]
URGENCY_MIX = [("immediate", 5), ("same_day", 25), ("routine", 70)]
JURISDICTION_MIX = [("england", 80), ("wales", 10), ("scotland", 6), ("northern_ireland", 4)]


def _pick(rng, mix):
    values, weights = zip(*mix, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class ConcernFacts:
    """What the audit trail needs to know about each generated concern."""

    id: int
    reference: str
    team_code: str
    submitted_at: datetime
    reporter: tuple
    status: str
    lead: tuple
    acknowledged_at: datetime | None
    closed_at: datetime | None
    urgency: str
    jurisdiction: str


def _policy_steps() -> dict:
    """(urgency, jurisdiction) -> (policy id, number of steps, minutes allowed) for acknowledgement."""
    try:
        from alerts.policies import resolve_policy
    except ImportError:  # pragma: no cover - the clock engine is not there
        return {}
    steps = {}
    for urgency, _ in URGENCY_MIX:
        for jurisdiction, _ in JURISDICTION_MIX:
            policy = resolve_policy(kind="acknowledge_concern", urgency=urgency, jurisdiction=jurisdiction)
            steps[urgency, jurisdiction] = (policy.policy_id, len(policy.steps), policy.duration_minutes)
    return steps


def generate(
    people: People, scale: Scale, *, seed: int = 11, now: datetime | None = None, tune_load: bool = True, log=print
) -> dict:
    """Concerns with every part, deadlines, referrals and a hash-chained audit trail. Returns counts.

    ``tune_load`` drops the secondary indexes and turns off the row-capture and next-deadline
    triggers around the load, then rebuilds the indexes and fills what the triggers would have.
    """
    from alerts.models import Deadline
    from audit.models import AuditEvent
    from concerns.models import AllegedPerson, Concern, PersonAtRisk, PriorReport
    from escalation.models import ExternalReferral

    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    started = time.monotonic()
    counts: dict[str, int] = {}
    tables = [
        Concern._meta.db_table,
        Concern.categories.through._meta.db_table,
        PersonAtRisk._meta.db_table,
        AllegedPerson._meta.db_table,
        PriorReport._meta.db_table,
        Deadline._meta.db_table,
        ExternalReferral._meta.db_table,
        AuditEvent._meta.db_table,
    ]
    with connection.cursor() as cursor:
        # Only this loading session: the measured processes keep the durable default.
        cursor.execute("SET synchronous_commit = off")
    if tune_load:
        set_row_capture(tables, enabled=False)
        set_next_due_trigger(enabled=False)
    definitions = drop_secondary_indexes(tables) if tune_load else []
    try:
        facts = _load_concerns(people, scale, rng=rng, now=now, counts=counts, log=log)
        _load_audit_trail(people, facts, scale, rng=rng, now=now, counts=counts, log=log)
    finally:
        if connection.in_atomic_block:
            # Inside a test's transaction the deferred foreign-key checks are still pending, and
            # PostgreSQL builds no index on a table with pending trigger events: check them now.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        create_indexes(definitions, log=log)
        if tune_load:
            fill_next_due(log=log)
            set_next_due_trigger(enabled=True)
            set_row_capture(tables, enabled=True)
        for table in (
            Concern._meta.db_table,
            PersonAtRisk._meta.db_table,
            AllegedPerson._meta.db_table,
            PriorReport._meta.db_table,
            Deadline._meta.db_table,
            ExternalReferral._meta.db_table,
            Concern.categories.through._meta.db_table,
        ):
            _sync_sequence(table)
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


def _load_concerns(people: People, scale: Scale, *, rng, now, counts, log) -> list[ConcernFacts]:
    from alerts.models import Deadline
    from concerns.category_codes import ordered_codes
    from concerns.models import AllegedPerson, Concern, ConcernCategory, PersonAtRisk, PriorReport
    from escalation.models import ExternalReferral

    categories = list(ConcernCategory.objects.filter(active=True).values_list("id", "code", "nations", "order"))
    by_nation = {nation: [c for c in categories if not c[2] or nation in c[2]] for nation, _ in JURISDICTION_MIX}
    policy_steps = _policy_steps()
    own_words = _paragraphs(rng, 500, 3, 8)
    observations = _paragraphs(rng, 500, 2, 5)
    opinions = _paragraphs(rng, 300, 1, 3)
    short = _paragraphs(rng, 300, 1, 1)
    team_codes = {t[0]: t[1] for t in people.teams}
    team_ids = [t[0] for t in people.teams]

    first_id = _max_id(Concern._meta.db_table) + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM concerns_concern_reference_seq")
        first_number = cursor.fetchone()[0] + 1
    span = timedelta(days=730)
    oldest = now - span
    closed_count = scale.concerns - scale.open_concerns
    facts: list[ConcernFacts] = []
    concern_rows, category_rows, risk_rows, alleged_rows = [], [], [], []
    prior_rows, deadline_rows, referral_rows = [], [], []
    next_referral_id = _max_id(ExternalReferral._meta.db_table) + 1

    def flush():
        copy_rows(Concern, concern_rows, provided=CONCERN_COLUMNS)
        copy_rows(through, category_rows, provided=("concern_id", category_field))
        copy_rows(PersonAtRisk, risk_rows, provided=RISK_COLUMNS)
        copy_rows(AllegedPerson, alleged_rows, provided=ALLEGED_COLUMNS)
        copy_rows(PriorReport, prior_rows, provided=PRIOR_COLUMNS)
        copy_rows(ExternalReferral, referral_rows, provided=REFERRAL_COLUMNS)
        copy_rows(Deadline, deadline_rows, provided=DEADLINE_COLUMNS)
        for name, rows in (
            ("concerns", concern_rows),
            ("concern_categories", category_rows),
            ("persons_at_risk", risk_rows),
            ("alleged_persons", alleged_rows),
            ("prior_reports", prior_rows),
            ("external_referrals", referral_rows),
            ("deadlines", deadline_rows),
        ):
            counts[name] = counts.get(name, 0) + len(rows)
            rows.clear()

    through = Concern.categories.through
    category_field = next(f.attname for f in through._meta.fields if f.related_model is ConcernCategory)
    load_started = time.monotonic()
    for n in range(scale.concerns):
        concern_id = first_id + n
        # Submission times spread over two years, oldest first; the newest are the open ones.
        submitted_at = oldest + span * (n + rng.random() * 0.5) / scale.concerns
        submitted_at = min(submitted_at, now - timedelta(minutes=5))
        team_id = team_ids[rng.randrange(len(team_ids))]
        reporter = rng.choice(people.clinicians_by_team[team_id])
        lead = rng.choice(people.leads_by_team[team_id] + [people.bench_lead])
        urgency = _pick(rng, URGENCY_MIX)
        jurisdiction = _pick(rng, JURISDICTION_MIX)
        status = "closed" if n < closed_count else _pick(rng, STATUS_MIX_OPEN)
        acknowledged_at = None if status == "submitted" else submitted_at + timedelta(minutes=rng.randint(5, 600))
        closed_at = acknowledged_at + timedelta(days=rng.randint(1, 60)) if status == "closed" else None
        reference = f"SG-{submitted_at.year}-{first_number + n:06d}"
        danger = rng.choices(["no", "yes", "unsure"], weights=[85, 5, 10])[0]
        nation_categories = by_nation[jurisdiction] or categories
        concern_rows.append(
            {
                "id": concern_id,
                "reference": reference,
                "team_id": team_id,
                "reporter_id": reporter[0],
                "client_id": rng.choice(people.clients_by_team[team_id]) if rng.random() < 0.6 else None,
                "urgency": urgency,
                "jurisdiction": jurisdiction,
                "submitted_at": submitted_at,
                "submission_key": uuid.UUID(int=rng.getrandbits(128), version=4),
                "status": status,
                "acknowledged_at": acknowledged_at,
                "acknowledged_by_id": lead[0] if acknowledged_at else None,
                "owner_id": lead[0] if acknowledged_at else None,
                "closed_at": closed_at,
                # Kept by a trigger on triage records in the portal; written directly here, since
                # the generator writes no triage rows. The queue sorts and filters by it.
                "risk_rating": rng.choice(["low", "medium", "high", "severe"])
                if status in ("triaged", "referred", "monitoring", "closed")
                else "",
                "immediate_danger": danger,
                "emergency_action": rng.choice(["999", "police_101", "social_care"]) if danger != "no" else "",
                "emergency_action_notes": rng.choice(short) if danger != "no" else "",
                "occurred_on": submitted_at.date() - timedelta(days=rng.randint(0, 3)),
                "occurred_on_text": "",
                "location": "Clinic room 2",
                "setting": "session",
                "people_present": "Only the client and me.",
                "summary": rng.choice(short)[:500],
                "discloser_type": rng.choice(["client_self", "client_others", "third_party", "observation"]),
                "discloser_police_wishes": "undecided",
                "discloser_identity_wishes": "share",
                "support_offered": rng.choice(short),
                "own_words": rng.choice(own_words),
                "observations": rng.choice(observations),
                "opinion": rng.choice(opinions),
                "questions_asked": rng.choice(short),
                "actions_taken": rng.choice(short),
                "consulted": ["supervisor"] if rng.random() < 0.5 else [],
            }
        )
        chosen = rng.sample(nation_categories, k=min(len(nation_categories), rng.choice([1, 1, 2, 3])))
        for category in chosen:
            category_rows.append({"concern_id": concern_id, category_field: category[0]})
        # The row's copy of its links' codes, in the order the submit writes them (the
        # categories' order, then code); set after the draw, so the random stream is unchanged.
        concern_rows[-1]["category_codes"] = ordered_codes((c[3], c[1]) for c in chosen)
        for position in range(rng.choice([1, 1, 1, 2, 3])):
            risk_rows.append(
                {
                    "concern_id": concern_id,
                    "position": position,
                    "kind": rng.choices(["child", "adult_at_risk", "unborn"], weights=[70, 28, 2])[0],
                    "identity": "known",
                    "description": rng.choice(short)[:200],
                    "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "date_of_birth": date(2008, 1, 1) + timedelta(days=rng.randint(0, 5000)),
                    "whereabouts": "At home with mother.",
                    "looked_after": "no",
                }
            )
        if rng.random() < 0.8:
            known = rng.random() < 0.6
            alleged_rows.append(
                {
                    "concern_id": concern_id,
                    "position": 0,
                    "identity": "known" if known else "unknown",
                    "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if known else "",
                    "date_of_birth": date(1960, 1, 1) + timedelta(days=rng.randint(0, 15000)) if known else None,
                    "description": rng.choice(short)[:300],
                    "relationship": "Stepfather",
                    "contact_with_children": "yes",
                    "position_of_trust": rng.choice(["yes", "no", "unknown"]),
                    "role": rng.choice(["", "foster_carer", "teacher", "care_worker", "volunteer"]),
                }
            )
        if rng.random() < 0.2:
            prior_rows.append(
                {
                    "concern_id": concern_id,
                    "position": 0,
                    "recipient": "csc",
                    "made_by": "client",
                    "reported_on_text": "about two years ago",
                    "new_since": rng.choice(short),
                }
            )

        policy_id, step_count, minutes = policy_steps.get((urgency, jurisdiction), (None, 3, 24 * 60))
        due_at = submitted_at + timedelta(minutes=minutes)
        if acknowledged_at is None:
            # Not yet due: the first step is ahead. Overdue: every step has fired already.
            pending = due_at > now
            deadline = {
                "state": "open",
                "step": 0 if pending else step_count,
                "next_fire_at": due_at if pending else None,
                "closed_at": None,
            }
        else:
            deadline = {"state": "met", "step": 0, "next_fire_at": None, "closed_at": acknowledged_at}
        deadline_rows.append(
            {
                "kind": "acknowledge_concern",
                "concern_id": concern_id,
                "subject_type": "concerns.concern",
                "subject_id": str(concern_id),
                "subject_ref": reference,
                "team_id": team_id,
                "urgency": urgency,
                "jurisdiction": jurisdiction,
                "policy_id": policy_id,
                "opened_at": submitted_at,
                "due_at": due_at,
                **deadline,
            }
        )
        if status in ("referred", "monitoring", "closed") and rng.random() < 0.6:
            referred_at = acknowledged_at + timedelta(hours=rng.randint(1, 30))
            response_due = referred_at + timedelta(days=1)
            answered = status == "closed" or rng.random() < 0.7
            referral_id = next_referral_id
            next_referral_id += 1
            referral_rows.append(
                {
                    "id": referral_id,
                    "concern_id": concern_id,
                    "agency": "childrens_social_care",
                    "area": "Northtown",
                    "method": "phone",
                    "referred_at": referred_at,
                    "contact_name": "Duty worker",
                    "their_reference": f"CSC-{concern_id}",
                    "response_due_at": response_due,
                    "confirmed_in_writing_at": referred_at + timedelta(hours=3),
                    "response_received_at": response_due - timedelta(hours=4) if answered else None,
                    "response_summary": "Strategy discussion held." if answered else "",
                    "made_by_id": lead[0],
                    "created_at": referred_at,
                }
            )
            deadline_rows.append(
                {
                    "kind": "referral_response",
                    "concern_id": concern_id,
                    "subject_type": "escalation.externalreferral",
                    "subject_id": str(referral_id),
                    "subject_ref": reference,
                    "team_id": team_id,
                    "urgency": urgency,
                    "jurisdiction": jurisdiction,
                    "policy_id": None,
                    "opened_at": referred_at,
                    "due_at": response_due,
                    "state": "met" if answered else "open",
                    "step": 0 if answered else step_count,
                    "next_fire_at": None,
                    "closed_at": response_due - timedelta(hours=4) if answered else None,
                }
            )
        facts.append(
            ConcernFacts(
                concern_id,
                reference,
                team_codes[team_id],
                submitted_at,
                reporter,
                status,
                lead,
                acknowledged_at,
                closed_at,
                urgency,
                jurisdiction,
            )
        )
        if len(concern_rows) >= 20_000:
            flush()
            log(f"  concerns: {n + 1:,}/{scale.concerns:,} ({time.monotonic() - load_started:.0f}s)")
    flush()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('concerns_concern_reference_seq', %s)", [first_number + scale.concerns - 1])
    log(f"  concerns and parts: {counts} in {time.monotonic() - load_started:.1f}s")
    return facts


CONCERN_COLUMNS = (
    "id",
    "reference",
    "team_id",
    "reporter_id",
    "client_id",
    "urgency",
    "jurisdiction",
    "submitted_at",
    "submission_key",
    "status",
    "acknowledged_at",
    "acknowledged_by_id",
    "owner_id",
    "closed_at",
    "risk_rating",
    "immediate_danger",
    "emergency_action",
    "emergency_action_notes",
    "occurred_on",
    "occurred_on_text",
    "location",
    "setting",
    "people_present",
    "summary",
    "discloser_type",
    "discloser_police_wishes",
    "discloser_identity_wishes",
    "support_offered",
    "own_words",
    "observations",
    "opinion",
    "questions_asked",
    "actions_taken",
    "consulted",
    "category_codes",
)
RISK_COLUMNS = (
    "concern_id",
    "position",
    "kind",
    "identity",
    "description",
    "name",
    "date_of_birth",
    "whereabouts",
    "looked_after",
)
ALLEGED_COLUMNS = (
    "concern_id",
    "position",
    "identity",
    "name",
    "date_of_birth",
    "description",
    "relationship",
    "contact_with_children",
    "position_of_trust",
    "role",
)
PRIOR_COLUMNS = ("concern_id", "position", "recipient", "made_by", "reported_on_text", "new_since")
DEADLINE_COLUMNS = (
    "kind",
    "concern_id",
    "subject_type",
    "subject_id",
    "subject_ref",
    "team_id",
    "urgency",
    "jurisdiction",
    "policy_id",
    "opened_at",
    "due_at",
    "state",
    "step",
    "next_fire_at",
    "closed_at",
)
REFERRAL_COLUMNS = (
    "id",
    "concern_id",
    "agency",
    "area",
    "method",
    "referred_at",
    "contact_name",
    "their_reference",
    "response_due_at",
    "confirmed_in_writing_at",
    "response_received_at",
    "response_summary",
    "made_by_id",
    "created_at",
)


# --- The audit trail ---------------------------------------------------------------------------


def _load_audit_trail(people: People, facts: list[ConcernFacts], scale: Scale, *, rng, now, counts, log) -> None:
    """Events in time order, each concern's story spread after its submission, hashed in one pass."""
    from audit.actions import AuditAction
    from audit.chain import CHAIN_FIELDS, GENESIS_HASH, event_hash
    from audit.models import AuditEvent

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        last = cursor.fetchone()
    next_id = (last[0] if last else 0) + 1
    prev_hash = last[1] if last else GENESIS_HASH
    per_concern = max(scale.audit_events / max(len(facts), 1), 2.0)
    latest = now - timedelta(seconds=30)

    def stories():
        """(time, tiebreak, action, actor, role, subject_type, subject_id, ref, details) in time order."""
        pending: list = []
        tiebreak = 0
        for fact in facts:
            while pending and pending[0][0] <= fact.submitted_at:
                yield heapq.heappop(pending)
            yield (
                fact.submitted_at,
                tiebreak,
                AuditAction.CONCERN_SUBMITTED,
                fact.reporter,
                "clinician",
                "concerns.concern",
                str(fact.id),
                fact.reference,
                {"team": fact.team_code, "urgency": fact.urgency, "jurisdiction": fact.jurisdiction},
            )
            tiebreak += 1
            later = []
            if fact.acknowledged_at:
                later.append(
                    (
                        fact.acknowledged_at - timedelta(minutes=1),
                        AuditAction.CONCERN_VIEWED,
                        fact.lead,
                        "safeguarding_lead",
                        {"page": "workflow"},
                    )
                )
                later.append(
                    (fact.acknowledged_at, AuditAction.CONCERN_ACKNOWLEDGED, fact.lead, "safeguarding_lead", {})
                )
                if fact.status in ("triaged", "referred", "monitoring", "closed"):
                    later.append(
                        (
                            fact.acknowledged_at + timedelta(minutes=30),
                            AuditAction.CONCERN_TRIAGED,
                            fact.lead,
                            "safeguarding_lead",
                            {"risk_rating": rng.choice(["low", "medium", "high"])},
                        )
                    )
            if fact.closed_at:
                later.append(
                    (
                        fact.closed_at,
                        AuditAction.CONCERN_CLOSED,
                        fact.lead,
                        "safeguarding_lead",
                        {"outcome_label": "No further action needed"},
                    )
                )
            budget = per_concern - 1 - len(later)
            views = int(budget) + (1 if rng.random() < budget - int(budget) else 0)
            for _ in range(max(views, 0)):
                who = rng.random()
                if who < 0.5:
                    actor, role = fact.lead, "safeguarding_lead"
                elif who < 0.9:
                    actor, role = fact.reporter, "clinician"
                else:
                    actor, role = people.manager, "manager"
                later.append(
                    (
                        fact.submitted_at + timedelta(seconds=rng.randint(60, 30 * 86400)),
                        AuditAction.CONCERN_VIEWED,
                        actor,
                        role,
                        {"page": "concern" if role == "clinician" else "workflow"},
                    )
                )
            for at, action, actor, role, details in later:
                if at > latest:
                    continue
                heapq.heappush(
                    pending,
                    (at, tiebreak, action, actor, role, "concerns.concern", str(fact.id), fact.reference, details),
                )
                tiebreak += 1
        while pending:
            yield heapq.heappop(pending)

    def rows():
        nonlocal next_id, prev_hash
        for at, _, action, actor, role, subject_type, subject_id, ref, details in stories():
            ip = f"10.{actor[0] % 250}.{(actor[0] // 250) % 250}.{actor[0] % 97 + 1}"
            agent = USER_AGENTS[actor[0] % len(USER_AGENTS)]
            request_id = f"{rng.getrandbits(128):032x}"
            content = {
                "id": next_id,
                "occurred_at": at,
                "actor_id": actor[0],
                "actor_email": actor[1],
                "actor_role": role,
                "ip_address": ip,
                "user_agent": agent,
                "action": action.value,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "subject_ref": ref,
                "details": details,
                "request_id": request_id,
                "prev_hash": prev_hash,
            }
            digest = event_hash(content)
            yield {**content, "hash": digest}
            prev_hash = digest
            next_id += 1

    count = copy_rows(AuditEvent, rows(), provided=(*CHAIN_FIELDS, "hash"))
    counts["audit_events"] = count
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)", [next_id - 1])
    log(f"  audit trail: {count:,} events, chained, in {time.monotonic() - started:.1f}s")
