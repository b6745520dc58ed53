"""The authorization matrix: every URL pattern, every role, an explicit expected answer.

- Every URL pattern of the project (ours, allauth's, the admin's) must have a row in ``MATRIX``
  (or fall under the admin rule); a new URL without a row fails the test.
- Each row says what each role gets: the page (200), a redirect to sign-in (LOGIN), refused
  (403), not found (404, for objects the person may not know exist), or another answer.
- Object URLs use objects that belong to the clinician and lead of one team, so the
  clinician and lead of the other team try someone else's object (OWASP's two-account method).
- Every POST needs a CSRF token; no GET changes state (rows counted before and after, audit
  events of what was viewed aside).

Each request runs in a savepoint that is rolled back, so every role meets the same world.
To print the answers the code gives today (when adding rows): MATRIX_RECORD=1 pytest this file -s.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from audit.models import AuditEvent
from tests.conftest import SecondFactorClient

# Answers.
OK = 200
LOGIN = "login"  # a redirect to the sign-in page (or the admin's)
DENY = 403
HIDE = 404
MOVED = "302"  # a redirect somewhere else (allauth's flows, the home page's role routing)
GONE = 405  # the method is not allowed (POST-only or GET-only endpoints)
BAD = 400
UP = frozenset({200, 503})  # /healthz: healthy or not, never an authorization answer

ROLES = ("anonymous", "clinician", "clinician_other_team", "lead", "lead_other_team", "manager", "administrator")
# Requests that might change something run least-entitled first (each is rolled back anyway).
RUN_ORDER = ("anonymous", "clinician_other_team", "lead_other_team", "clinician", "manager", "administrator", "lead")


@dataclass
class Row:
    answers: tuple  # one per role, in ROLES order
    method: str = "GET"
    kwargs: object = None  # callable(world) -> dict of URL kwargs
    data: dict = field(default_factory=dict)

    def expected(self) -> dict:
        assert len(self.answers) == len(ROLES)
        return dict(zip(ROLES, self.answers, strict=True))


def everyone(answer_anonymous, answer_signed_in, **kw) -> Row:
    return Row((answer_anonymous,) + (answer_signed_in,) * (len(ROLES) - 1), **kw)


# The table. Columns: anonymous, clinician, clinician of another team, lead, lead of another
# team, manager, administrator.
MATRIX: dict[str, Row] = {
    # --- Project pages ------------------------------------------------------------------------
    "home": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),  # each role to its start page
    "healthz": everyone(UP, UP),  # 503 while the worker and beat heartbeats are missing
    "accounts:administration": Row((LOGIN, DENY, DENY, DENY, DENY, DENY, OK)),
    # The idle dialog's question "how long have I left?": JSON for everyone (signed out: 0).
    "accounts:session_status": Row((OK, OK, OK, OK, OK, OK, OK)),
    # --- Sign-in, password, second factor, sessions (django-allauth) ---------------------------------
    "account_login": Row((OK, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),
    "account_logout": Row((LOGIN, OK, OK, OK, OK, OK, OK)),
    "account_inactive": everyone(OK, OK),
    "account_reauthenticate": Row((LOGIN, OK, OK, OK, OK, OK, OK)),
    "account_change_password": Row((LOGIN, OK, OK, OK, OK, OK, OK)),
    "account_set_password": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),  # everyone has one
    "account_reset_password": everyone(OK, OK),
    "account_reset_password_done": everyone(OK, OK),
    "account_reset_password_from_key": everyone(OK, OK),  # a bad key: "this link is not valid"
    "account_reset_password_from_key_done": everyone(OK, OK),
    # Closed (accounts.middleware.CLOSED_ACCOUNT_PAGES): no sign-up, no self-service email change.
    "account_signup": everyone(HIDE, HIDE),
    "account_email": everyone(HIDE, HIDE),
    "account_email_verification_sent": everyone(HIDE, HIDE),
    "account_confirm_email": everyone(HIDE, HIDE),
    "account_confirm_login_code": everyone(HIDE, HIDE),
    "mfa_index": Row((LOGIN, OK, OK, OK, OK, OK, OK)),
    "mfa_authenticate": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),  # only mid-sign-in
    # Clinicians have no factor: sent to enrol one. The others have done theirs.
    "mfa_reauthenticate": Row((LOGIN, MOVED, MOVED, OK, OK, OK, OK)),
    "mfa_activate_totp": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),  # step-up first, or already on
    "mfa_deactivate_totp": Row((LOGIN, HIDE, HIDE, MOVED, MOVED, MOVED, MOVED)),
    "mfa_view_recovery_codes": Row((LOGIN, HIDE, HIDE, HIDE, HIDE, HIDE, HIDE)),  # none generated here
    "mfa_generate_recovery_codes": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),
    "mfa_download_recovery_codes": Row((LOGIN, HIDE, HIDE, HIDE, HIDE, HIDE, HIDE)),
    "mfa_list_webauthn": Row((LOGIN, OK, OK, OK, OK, OK, OK)),  # one's own keys only
    "mfa_add_webauthn": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),  # step-up first
    "mfa_reauthenticate_webauthn": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),  # no key enrolled
    # Another person's key (the deputy's): step-up first, then 404 (allauth filters by user).
    "mfa_remove_webauthn": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),
    "mfa_edit_webauthn": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),
    "mfa_login_webauthn": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED)),
    "usersessions_list": Row((LOGIN, OK, OK, OK, OK, OK, OK)),  # one's own sessions only
    # --- Audit (managers) --------------------------------------------------------------------------
    "audit:trail": Row((LOGIN, DENY, DENY, DENY, DENY, OK, DENY)),
    "audit:export": Row((LOGIN, DENY, DENY, DENY, DENY, OK, DENY)),
    "audit:concern_access_log": Row((LOGIN, DENY, DENY, DENY, DENY, OK, DENY)),
    "audit:person_activity": Row((LOGIN, DENY, DENY, DENY, DENY, OK, DENY)),
    "audit:break_glass": Row((LOGIN, DENY, DENY, DENY, DENY, OK, DENY)),
    "audit:break_glass_review": Row((LOGIN, DENY, DENY, DENY, DENY, BAD, DENY), method="POST"),  # empty form
    "audit:retention": Row((LOGIN, DENY, DENY, DENY, DENY, OK, DENY)),
    # --- Consent (clients of one's own teams; statements published by administrators) ---------------
    "consent:client_list": Row((LOGIN, OK, OK, OK, OK, DENY, DENY)),
    "consent:client_new": Row((LOGIN, OK, OK, OK, OK, DENY, DENY)),
    "consent:needs_revisit": Row((LOGIN, OK, OK, OK, OK, DENY, DENY)),
    "consent:limits_status": Row((LOGIN, OK, OK, OK, OK, DENY, DENY)),
    "consent:client_detail": Row((LOGIN, OK, HIDE, OK, HIDE, DENY, DENY)),
    "consent:limits_new": Row((LOGIN, OK, HIDE, OK, HIDE, DENY, DENY)),
    "consent:statement_list": Row((LOGIN, OK, OK, OK, OK, OK, OK)),
    "consent:statement_new": Row((LOGIN, DENY, DENY, DENY, DENY, DENY, OK)),
    "consent:statement_detail": Row((LOGIN, OK, OK, OK, OK, OK, OK)),
    "consent:statement_edit": Row((LOGIN, DENY, DENY, DENY, DENY, DENY, MOVED)),  # published: not editable
    "consent:statement_publish": Row((LOGIN, DENY, DENY, DENY, DENY, DENY, BAD), method="POST"),
    # --- Concerns (the reporter and the leads covering the team) -------------------------------------
    "concerns:mine": Row((LOGIN, OK, OK, OK, OK, DENY, DENY)),
    "concerns:new": Row((LOGIN, OK, OK, OK, OK, DENY, DENY)),
    "concerns:draft_save": Row((401, BAD, BAD, BAD, BAD, DENY, DENY), method="POST"),  # htmx autosave
    "concerns:staff_search": Row((LOGIN, OK, OK, OK, OK, DENY, DENY)),  # name and team only
    "concerns:draft_discard": Row((LOGIN, OK, HIDE, HIDE, HIDE, DENY, DENY), method="POST"),  # asks first
    # A manager goes on to the case file (escalation:concern), which decides.
    "concerns:detail": Row((LOGIN, OK, HIDE, OK, HIDE, MOVED, DENY)),
    "concerns:submitted": Row((LOGIN, OK, HIDE, HIDE, HIDE, DENY, DENY)),  # the reporter's receipt
    "concerns:print": Row((LOGIN, OK, HIDE, OK, HIDE, MOVED, DENY)),
    "concerns:addendum_add": Row((LOGIN, OK, HIDE, OK, HIDE, DENY, DENY), method="POST"),  # empty: errors
    "concerns:sharing_new": Row((LOGIN, OK, HIDE, OK, HIDE, HIDE, HIDE)),
    "concerns:client_informed_new": Row((LOGIN, OK, HIDE, OK, HIDE, HIDE, HIDE)),
    # --- Escalation (leads and deputies covering the team) ---------------------------------------------
    "escalation:queue": Row((LOGIN, DENY, DENY, OK, OK, DENY, DENY)),
    "escalation:queue_counts": Row((LOGIN, DENY, DENY, OK, OK, DENY, DENY)),
    "escalation:queue_total": Row((LOGIN, DENY, DENY, OK, OK, DENY, DENY)),
    # Managers read the case file (never act on it): by reference, on screen and in print.
    "escalation:find_concern": Row((LOGIN, DENY, DENY, MOVED, MOVED, MOVED, DENY)),
    "escalation:concern": Row((LOGIN, DENY, DENY, OK, HIDE, OK, DENY)),
    "escalation:concern_print": Row((LOGIN, DENY, DENY, OK, HIDE, OK, DENY)),
    "escalation:acknowledge": Row((LOGIN, DENY, DENY, MOVED, HIDE, DENY, DENY), method="POST"),
    "escalation:assign": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:triage": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:refer": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:close": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:reopen": Row((LOGIN, DENY, DENY, MOVED, HIDE, DENY, DENY)),  # not closed: back to the concern
    # The lead covering the team needs no break-glass; the other team's lead gets the form.
    "escalation:link_staff": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:declare_conflict": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:break_glass": Row((LOGIN, DENY, DENY, MOVED, OK, DENY, DENY)),
    "escalation:referral_response": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:referral_confirmed": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    # Referral packs (the world's pack is finalised: finalising again sends the lead back to it).
    "escalation:pack_new": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:pack": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:pack_finalise": Row((LOGIN, DENY, DENY, MOVED, HIDE, DENY, DENY)),
    "escalation:pack_print": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:pack_download": Row((LOGIN, DENY, DENY, OK, HIDE, DENY, DENY)),
    "escalation:dashboard": Row((LOGIN, DENY, DENY, DENY, DENY, OK, DENY)),  # managers
    # In-app notifications: one's own only (the notification is the lead's).
    "alerts:notifications": Row((LOGIN, OK, OK, OK, OK, OK, OK)),
    "alerts:notification_count": Row((LOGIN, OK, OK, OK, OK, OK, OK)),
    "alerts:notification_read": Row((LOGIN, HIDE, HIDE, MOVED, HIDE, HIDE, HIDE), method="POST"),
    "alerts:notifications_read_all": Row((LOGIN, MOVED, MOVED, MOVED, MOVED, MOVED, MOVED), method="POST"),
    # The local mail viewer: administrators, in development runs only (not installed in production:
    # tests/security/test_headers_and_deploy.py).
    "devtools:mail": Row((LOGIN, DENY, DENY, DENY, DENY, DENY, OK)),
    "devtools:mail_message": Row((LOGIN, DENY, DENY, DENY, DENY, DENY, HIDE)),
}

ADMIN_PREFIX = "admin:"


# --- The world every request meets --------------------------------------------------------------


@dataclass
class World:
    cast: object
    concern: object
    referral: object
    client_record: object
    statement: object
    draft: object
    break_glass: object
    webauthn_key: object
    notification: object
    users: dict
    pack: object = None


def build_world(cast) -> World:
    from alerts.models import Notification
    from audit.services import record_break_glass
    from concerns.models import ConcernDraft
    from escalation.models import Agency, ExternalReferral, ReferralMethod
    from tests.factories.concerns import submit_test_concern
    from tests.factories.consent import ClientFactory, published_statement

    concern = submit_test_concern(reporter=cast.clinician, team=cast.team)
    now = timezone.now()
    referral = ExternalReferral.objects.create(
        concern=concern,
        agency=Agency.CHILDRENS_SOCIAL_CARE,
        area="Anytown",
        method=ReferralMethod.PHONE,
        referred_at=now,
        made_by=cast.lead,
        created_at=now,
        response_due_at=now + timedelta(days=1),
    )
    client_record = ClientFactory(team=cast.team, created_by=cast.clinician)
    statement = published_statement(version=1, admin=cast.administrator)
    draft = ConcernDraft.objects.create(author=cast.clinician, submission_key=uuid.uuid4(), data={})
    break_glass = record_break_glass(
        actor=cast.lead_other_team, concern_reference=concern.reference, team=cast.team, reason="Covering a colleague"
    )
    # Someone else's security key: none of the seven roles may see or change it.
    webauthn_key = Authenticator.objects.create(
        user=cast.deputy, type=Authenticator.Type.WEBAUTHN, data={"name": "Dev's key", "credential": {}}
    )
    notification = Notification.objects.create(user=cast.lead, title="SG-1 needs acknowledging", link="/queue/")
    users = {
        "anonymous": None,
        "clinician": cast.clinician,
        "clinician_other_team": cast.clinician_other_team,
        "lead": cast.lead,
        "lead_other_team": cast.lead_other_team,
        "manager": cast.manager,
        "administrator": cast.administrator,
    }
    # A finalised referral pack, on another concern of the same team (so the world's concern
    # keeps its state).
    from tests.factories.packs import build_pack, decision_to_share, finalise_pack
    from tests.factories.workflow import acknowledged

    packed = acknowledged(submit_test_concern(reporter=cast.clinician, team=cast.team), by=cast.lead)
    pack = build_pack(packed, actor=cast.lead, decision=decision_to_share(packed, actor=cast.lead))
    finalise_pack(pack, actor=cast.lead)
    return World(
        cast, concern, referral, client_record, statement, draft, break_glass, webauthn_key, notification, users, pack
    )


# --- Enumerating URL patterns --------------------------------------------------------------------


@dataclass
class Pattern:
    key: str  # the URL name with its namespace, or the route when unnamed
    route: str
    pattern: URLPattern


def all_patterns() -> list[Pattern]:
    found = []

    def walk(patterns, prefix="", namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            else:
                route = prefix + str(entry.pattern)
                name = f"{namespace}:{entry.name}" if (namespace and entry.name) else entry.name
                found.append(Pattern(key=name or route, route=route, pattern=entry))

    walk(get_resolver().url_patterns)
    return found


_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>[^>]+)>[^)]*\)")
SAMPLE = {"int": "999999", "str": "x", "slug": "x", "uuid": str(uuid.UUID(int=1)), "path": "x"}


def object_kwargs(key: str, world: World) -> dict:
    """The objects behind each URL's parameters: all belong to ``cast.team`` or its people."""
    app = key.split(":", 1)[0] if ":" in key else "allauth"
    if app == "consent":
        pk = world.client_record.pk if ("client" in key or "limits" in key) else world.statement.pk
        return {"pk": pk}
    return {
        "concerns": {"pk": world.concern.pk, "submission_key": world.draft.submission_key},
        "escalation": {
            "concern_id": world.concern.pk,
            "referral_id": world.referral.pk,
            "pack_id": world.pack.pk,
        },
        "alerts": {"notification_id": world.notification.pk},
        "audit": {
            "reference": world.concern.reference,
            "person_id": world.cast.clinician.pk,
            "access_id": world.break_glass.pk,
        },
        "allauth": {"pk": world.webauthn_key.pk},
    }.get(app, {})


def build_path(route: str, kwargs: dict) -> str:
    """Fill a route's placeholders with ``kwargs`` (or harmless samples) to get a path."""

    def converter(match):
        name = match.group("name")
        if name in kwargs:
            return str(kwargs[name])
        return SAMPLE.get(match.group("conv") or "str", "x")

    path = route
    if path.startswith("^") or "(?P<" in path:
        path = path.replace("^", "").replace("$", "").replace("\\", "")
        path = _REGEX_GROUP.sub(lambda m: str(kwargs.get(m.group("name"), "x1")), path)
    path = _CONVERTER.sub(converter, path)
    return "/" + path


# --- Answers --------------------------------------------------------------------------------------


def classify(response) -> object:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return LOGIN
        return MOVED
    return response.status_code


def client_for(world: World, role: str, *, enforce_csrf_checks=False):
    client = SecondFactorClient(enforce_csrf_checks=enforce_csrf_checks)
    client.raise_request_exception = False
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


# Audit events that record a read (the access log), not a change: by naming convention
# (docs/contracts.md) "<thing>.viewed", ".printed", ".exported" and "access.<outcome>".
READ_ACTIONS_PATTERN = r"(\.viewed|\.printed|\.exported)$|^access\."
IGNORED_TABLES = {"django_session", "usersessions_usersession"}


def _counting_sql() -> str:
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if t not in IGNORED_TABLES]
    tables = [t for t in tables if t != "audit_auditevent"]
    parts = [f"(SELECT count(*) FROM {connection.ops.quote_name(t)})" for t in tables]  # noqa: S608
    return "SELECT " + " + ".join(parts)


def state_snapshot(sql: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchone()[0]
    changes = AuditEvent.objects.exclude(action__regex=READ_ACTIONS_PATTERN).count()
    return rows, changes


def request_in_savepoint(client, method: str, path: str, data: dict, count_sql: str | None = None):
    """One request, rolled back afterwards; with ``count_sql``, also whether it changed state."""
    with transaction.atomic():
        before = state_snapshot(count_sql) if count_sql else None
        response = getattr(client, method.lower())(path, data) if method == "POST" else client.get(path)
        after = state_snapshot(count_sql) if count_sql else None
        transaction.set_rollback(True)
    return response, (before != after if count_sql else False)


def test_every_url_pattern_has_a_row_and_every_role_gets_its_expected_answer(cast):
    world = build_world(cast)
    record = os.environ.get("MATRIX_RECORD") == "1"
    count_sql = _counting_sql()
    clients = {role: client_for(world, role) for role in ROLES}
    missing, wrong, state_changing_gets = [], [], []
    recorded = []

    for pattern in all_patterns():
        if pattern.key.startswith(ADMIN_PREFIX) or pattern.route.startswith("admin/"):
            continue  # test_admin_urls_follow_the_admin_rule
        row = MATRIX.get(pattern.key)
        if row is None and not record:
            missing.append(f"{pattern.key} ({pattern.route})")
            continue
        row = row or Row(answers=(None,) * len(ROLES))
        kwargs = row.kwargs(world) if row.kwargs else object_kwargs(pattern.key, world)
        path = build_path(pattern.route, kwargs)
        actual = {}
        if row.method == "GET":
            # One savepoint for all roles: a GET must not change anything, so none can affect the next.
            with transaction.atomic():
                before = state_snapshot(count_sql)
                for role in RUN_ORDER:
                    actual[role] = classify(clients[role].get(path))
                if state_snapshot(count_sql) != before:
                    state_changing_gets.append(f"GET {path}")
                transaction.set_rollback(True)
        else:
            for role in RUN_ORDER:
                response, _ = request_in_savepoint(clients[role], row.method, path, row.data)
                actual[role] = classify(response)
        if record:
            recorded.append(
                f'    "{pattern.key}": Row(({", ".join(_name(actual[r]) for r in ROLES)}),'
                f"{'' if row.method == 'GET' else ' method=' + repr(row.method) + ','})  # {path}"
            )
            continue
        for role, answer in row.expected().items():
            if not (actual[role] in answer if isinstance(answer, frozenset) else actual[role] == answer):
                wrong.append(f"{row.method} {path} [{pattern.key}] as {role}: expected {answer}, got {actual[role]}")

    if record:
        print("\n".join(recorded))
    assert not missing, "URL patterns missing from the matrix:\n" + "\n".join(missing)
    assert not wrong, "Unexpected answers:\n" + "\n".join(wrong)
    assert not state_changing_gets, "GET requests that changed state:\n" + "\n".join(state_changing_gets)


def _name(answer) -> str:
    return {200: "OK", LOGIN: "LOGIN", 403: "DENY", 404: "HIDE", MOVED: "MOVED", 405: "GONE", 400: "BAD"}.get(
        answer, repr(answer)
    )


# --- The admin: one rule for every pattern ------------------------------------------------------------

ADMIN_ANSWERS = {
    "anonymous": frozenset({LOGIN}),
    # Not staff (the lead and the manager are the same case): sent to the admin sign-in,
    # which (secure_admin_login) refuses signed-in people who are not staff.
    "clinician": frozenset({LOGIN, DENY}),
    # Staff: the page, a redirect within the admin, or the model permissions' refusal.
    "administrator": frozenset({OK, MOVED, DENY, HIDE, GONE}),
}
# Django sends people without admin access from the admin's sign-out to the admin's index.
ADMIN_EXCEPTIONS = {"admin:logout": frozenset({MOVED})}


def admin_patterns() -> list[Pattern]:
    return [p for p in all_patterns() if p.key.startswith(ADMIN_PREFIX) or p.route.startswith("admin/")]


def test_admin_urls_follow_the_admin_rule(cast):
    world = build_world(cast)
    count_sql = _counting_sql()
    clients = {role: client_for(world, role) for role in ADMIN_ANSWERS}
    patterns = admin_patterns()
    assert len(patterns) > 20, "the admin's URL patterns were not enumerated"
    wrong, state_changing_gets = [], []
    for pattern in patterns:
        path = build_path(pattern.route, {"object_id": world.concern.pk, "app_label": "concerns"})
        for role, allowed in ADMIN_ANSWERS.items():
            response, changed = request_in_savepoint(clients[role], "GET", path, {}, count_sql)
            if classify(response) not in allowed | ADMIN_EXCEPTIONS.get(pattern.key, frozenset()):
                wrong.append(f"GET {path} [{pattern.key}] as {role}: got {classify(response)}")
            if changed:
                state_changing_gets.append(f"GET {path} as {role}")
    assert not wrong, "Unexpected admin answers:\n" + "\n".join(wrong)
    assert not state_changing_gets, "GET requests that changed state:\n" + "\n".join(state_changing_gets)


def test_the_admin_sign_in_goes_through_the_portal_sign_in(client):
    """So the lockout and the second factor apply to the admin too."""
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- CSRF on every POST ---------------------------------------------------------------------------


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(cast):
    world = build_world(cast)
    count_sql = _counting_sql()
    # CsrfViewMiddleware refuses before any view runs, whoever asks: one signed-in person suffices.
    client = client_for(world, "lead", enforce_csrf_checks=True)
    accepted = []
    patterns = all_patterns()
    for pattern in patterns:
        kwargs = MATRIX[pattern.key].kwargs(world) if pattern.key in MATRIX and MATRIX[pattern.key].kwargs else {}
        path = build_path(pattern.route, kwargs or object_kwargs(pattern.key, world))
        response, changed = request_in_savepoint(client, "POST", path, {"confirm": "yes"}, count_sql)
        if response.status_code != 403 or changed:
            accepted.append(f"POST {path} [{pattern.key}]: {response.status_code}, changed={changed}")
    assert len(patterns) > 100
    assert not accepted, "POSTs without a CSRF token that were not refused:\n" + "\n".join(accepted)
