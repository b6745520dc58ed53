"""Fixtures shared by the whole suite: the cast of personas, second factors, the browser, axe.

Everything runs against the real services: PostgreSQL, Redis, Celery worker subprocesses and
Debian's Chromium. Nothing of ours is mocked. The processes and servers that tests start are
in tests/support/.
"""

import shutil
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories.accounts import PERSONA_PASSWORD, TeamFactory, UserFactory
from tests.support import ROOT, START_HOOKS

AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class Cast:
    """A fixed cast: two teams, and people on each side of every access rule."""

    team: object
    other_team: object
    clinician: object
    other_clinician: object  # same team as ``clinician``
    clinician_other_team: object
    lead: object
    deputy: object
    lead_other_team: object
    manager: object
    administrator: object
    password: str = PERSONA_PASSWORD


@pytest.fixture
def cast(db) -> Cast:
    team = TeamFactory(name="Children and families", code="children-families")
    other_team = TeamFactory(name="Adult therapies", code="adult-therapies")
    return Cast(
        team=team,
        other_team=other_team,
        clinician=UserFactory(
            email="cara@example.test", full_name="Cara Clinician", roles=[Role.CLINICIAN], teams=[team]
        ),
        other_clinician=UserFactory(
            email="cliff@example.test", full_name="Cliff Colleague", roles=[Role.CLINICIAN], teams=[team]
        ),
        clinician_other_team=UserFactory(
            email="colin@example.test", full_name="Colin Other", roles=[Role.CLINICIAN], teams=[other_team]
        ),
        lead=UserFactory(
            email="leah@example.test", full_name="Leah Lead", roles=[Role.LEAD], teams=[team], covered_teams=[team]
        ),
        deputy=UserFactory(
            email="dev@example.test", full_name="Dev Deputy", roles=[Role.DEPUTY], teams=[team], covered_teams=[team]
        ),
        lead_other_team=UserFactory(
            email="olga@example.test",
            full_name="Olga Otherlead",
            roles=[Role.LEAD],
            teams=[other_team],
            covered_teams=[other_team],
        ),
        manager=UserFactory(email="mina@example.test", full_name="Mina Manager", roles=[Role.MANAGER]),
        administrator=UserFactory(
            email="ade@example.test", full_name="Ade Admin", roles=[Role.ADMINISTRATOR], is_staff=True
        ),
    )


# --- Second factor (MFA) ---------------------------------------------------------------------
# Leads, deputies, managers and administrators must use a second factor before any page
# (accounts.middleware.SecondFactorRequiredMiddleware). The harness signs them in as if they
# had: a TOTP authenticator with a known secret, and allauth's record of the MFA step.

TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32; test personas only
TEST_FACTOR_AGE = timedelta(days=30)


def enrol_test_totp(user):
    """Give ``user`` a TOTP authenticator (the known test secret) unless they have one."""
    from allauth.mfa.models import Authenticator

    from accounts.allauth_internals import activate_totp

    existing = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    if existing:
        return existing
    authenticator = activate_totp(user, TEST_TOTP_SECRET)
    # The personas have held their app for weeks: a factor added in the last day does not
    # count for a step-up (accounts.security.established_factor_ids).
    authenticator.created_at = authenticator.created_at - TEST_FACTOR_AGE
    authenticator.save(update_fields=["created_at"])
    return authenticator


def totp_code_for(user) -> str:
    """The current code of ``user``'s authenticator app (usable even if used a moment ago)."""
    from allauth.mfa.models import Authenticator

    from accounts.allauth_internals import current_totp_code

    return current_totp_code(Authenticator.objects.get(user_id=user.pk, type=Authenticator.Type.TOTP))


class SecondFactorClient(Client):
    """The test client; ``force_login`` also completes the second factor where the role needs one."""

    def force_login(self, user, backend=None):
        from accounts.allauth_internals import record_completed_sign_in
        from accounts.security import second_factor_required

        super().force_login(user, backend)
        if second_factor_required(user):
            record_completed_sign_in(self.session, user, enrol_test_totp(user))


@pytest.fixture
def client():
    """Overrides pytest-django's ``client``: signed-in leads and managers have done their MFA."""
    return SecondFactorClient()


@pytest.fixture
def client_without_mfa():
    """A plain client: ``force_login`` is a password-only sign-in (for the MFA tests)."""
    return Client()


# Rows that data migrations seed: code lists and escalation policies. Transactional tests flush
# every table; these rows are put back from a snapshot taken once, right after migrating.
SEEDED_MODELS = (
    "concerns.ConcernCategory",
    "consent.LawfulBasisOption",
    "alerts.EscalationPolicy",
    "alerts.EscalationStep",
    "escalation.PackTemplate",
    "escalation.PackHeading",
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with concern references numbered from 1000: the pages give
    SG-2026-000123 as an example reference, and a hidden test concern given that number would
    fail every check that its reference appears nowhere on a page. The cached category lists
    are dropped."""
    from django.core.cache import cache
    from django.db import connection

    from concerns.selectors import ACTIVE_CATEGORIES_KEY

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval('concerns_concern_reference_seq', GREATEST(1000, last_value)) "
            "FROM concerns_concern_reference_seq"
        )
    # The category lists kept in the cache by an earlier run may predate this database's.
    cache.delete(ACTIVE_CATEGORIES_KEY)


@pytest.fixture(scope="session")
def seeded_rows(django_db_setup, django_db_blocker) -> str:
    from django.apps import apps
    from django.core import serializers

    with django_db_blocker.unblock():
        rows = [row for label in SEEDED_MODELS for row in apps.get_model(label).objects.order_by("pk")]
        return serializers.serialize("json", rows)


def restore_seeded_rows(snapshot: str) -> None:
    """Put the migration-seeded rows back (idempotent: rows that exist are saved as they were)."""
    from django.core import serializers

    for row in serializers.deserialize("json", snapshot):
        row.save()


@pytest.fixture(autouse=True)
def _team_names_forgotten():
    """Each test reads the list of every team afresh: the last test's teams were rolled back
    (their rollback dropped no cache entry), so the cached list may name teams gone."""
    from django.core.cache import cache

    from accounts.selectors import TEAM_NAMES_KEY

    cache.delete(TEAM_NAMES_KEY)


@pytest.fixture(autouse=True)
def _sweep_sighting_forgotten():
    """Each test reads the sweep's heartbeat afresh: the last test's rows were rolled back, but
    the process would still remember the run it read about."""
    from health.selectors import forget_sweep_sighting

    forget_sweep_sighting()


@pytest.fixture(autouse=True)
def _seeded_rows_after_flush(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction")
    if not (transactional or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    restore_seeded_rows(request.getfixturevalue("seeded_rows"))


# --- Browser -------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script; the strict CSP would otherwise refuse it.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB", "timezone_id": "Europe/London"}


def assert_accessible(page, *, context: str = "") -> None:
    """Run axe-core on the page; fail on any serious or critical violation."""
    page.add_script_tag(content=AXE_SCRIPT.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    summary = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )
    assert not bad, f"axe found serious or critical violations on {context or page.url}:\n{summary}"


class AxePage:
    """Wraps a Playwright page so that every visit is checked by axe."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url

    def visit(self, path: str):
        self.page.goto(self.base_url + path)
        self.check()
        return self.page

    def check(self, context: str = ""):
        self.page.wait_for_load_state("networkidle")
        assert_accessible(self.page, context=context)


def answer_the_essentials(
    page, *, own_words: str, nation="England", urgency="Same day", person_kind="child", alleged="Yes"
) -> None:
    """The short path of New concern, answered as a clinician would (six controls)."""
    page.locator("#div_id_immediate_danger").get_by_label("No", exact=True).check()
    page.get_by_label("Nation where the person at risk lives").select_option(label=nation)
    page.locator("#div_id_urgency").get_by_label(urgency).check()
    page.locator("[name=persons-0-kind]").select_option(person_kind)
    page.get_by_label("What the person said, in their own words").fill(own_words)
    page.locator("#div_id_has_alleged_person").get_by_label(alleged, exact=True).check()


def login_through_page(page, base_url: str, email: str, password: str = PERSONA_PASSWORD, *, check_axe=True, mfa=True):
    """Sign in through the real login page, as a person would.

    With ``mfa`` (the default), a person whose role needs a second factor is enrolled with the
    known test secret if they have none, and the code step is completed with a valid code.
    With ``mfa=False`` nothing is enrolled and the page is left wherever the sign-in leads.
    """
    from accounts.models import User
    from accounts.security import second_factor_required

    user = User.objects.filter(email__iexact=email).first()
    if mfa and user is not None and second_factor_required(user):
        enrol_test_totp(user)
    page.goto(base_url + "/accounts/login/")
    if check_axe:
        assert_accessible(page, context="login page")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("networkidle")
    if mfa and user is not None and "/2fa/authenticate/" in page.url:
        if check_axe:
            assert_accessible(page, context="second-factor page")
        page.get_by_label("Authenticator code").fill(totp_code_for(user))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state("networkidle")
    return page


@pytest.fixture
def axe_page(page, live_server):
    return AxePage(page, live_server.url)


# --- Markers: what ``make test-fast`` (-m "not browser and not worker") leaves out -------------

BROWSER_FIXTURES = {"page", "browser", "context", "new_context", "axe_page"}


def pytest_collection_modifyitems(config, items):
    """A test that drives the browser must say so with @pytest.mark.browser."""
    unmarked = [
        item.nodeid
        for item in items
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("browser") is None
    ]
    if unmarked:
        raise pytest.UsageError("These tests use the browser but are not marked browser:\n" + "\n".join(unmarked))


@pytest.fixture(autouse=True)
def _background_workers_need_the_worker_marker(request):
    """A test that starts a Celery worker, beat or the sweep loop must be marked worker."""
    if request.node.get_closest_marker("worker") is not None:
        yield
        return

    def refuse(process):
        if process.background_worker:
            raise RuntimeError(f"{request.node.nodeid} starts {process.name} but is not marked @pytest.mark.worker")

    START_HOOKS.append(refuse)
    try:
        yield
    finally:
        START_HOOKS.remove(refuse)
