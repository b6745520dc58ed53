"""`make run` serves with the environment of scripts/run_env.sh: a missing page answers the
portal's own 404 page (never Django's debug page with its URL list), and every demo person can
still sign in over plain http, second factor included.

The portal runs here under gunicorn exactly as scripts/run.sh starts it, with the run's
environment, against the test database. One difference: static files are served from the
source folders, because the test does not run collectstatic first as `make run` does.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils.crypto import get_random_string

from accounts.demo import seed
from accounts.security import second_factor_required
from tests.conftest import enrol_test_totp, totp_code_for
from tests.factories.accounts import PERSONA_PASSWORD
from tests.support.ports import free_port
from tests.support.processes import GunicornServer, portal_env

ROOT = Path(__file__).resolve().parents[2]
# What the run decides; the test process's own values (DEBUG is on in the test settings) must not leak in.
DECIDED_BY_THE_RUN = ("DEBUG", "SECRET_KEY", "SECURE_SSL", "DEVTOOLS_ENABLED")


def _local_run_env() -> dict[str, str]:
    base = {k: v for k, v in portal_env().items() if k not in DECIDED_BY_THE_RUN}
    base["DJANGO_SETTINGS_MODULE"] = "safeguarding.settings"
    base["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    print_env = 'python3 -c "import json, os; print(json.dumps(dict(os.environ)))"'
    shown = subprocess.run(  # noqa: S603 - fixed arguments
        ["bash", "-c", f"source scripts/run_env.sh && {print_env}"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(shown.stdout)


def _csrf_token(page: requests.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def local_run(transactional_db, settings):
    env = _local_run_env()
    assert env["DEBUG"] == "false" and env["SECURE_SSL"] == "false" and len(env["SECRET_KEY"]) >= 50
    # The second-factor secrets this test enrols must be readable by the server it starts: both
    # sides use one explicit key rather than keys derived from their different SECRET_KEYs.
    key = Fernet.generate_key().decode()
    env["MFA_ENCRYPTION_KEYS"] = key
    settings.MFA_ENCRYPTION_KEYS = [key]
    port = free_port()
    server = GunicornServer(port, env=env, workers=1, threads=4).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_a_missing_page_answers_the_portals_own_404(local_run):
    page = requests.get(f"{local_run}/no-such-page/", timeout=30)
    assert page.status_code == 404
    assert "Page not found" in page.text and "Safeguarding portal" in page.text
    assert "URLconf" not in page.text and "urlpatterns" not in page.text.lower()


def test_every_demo_person_signs_in_over_plain_http(local_run):
    people = seed(password=PERSONA_PASSWORD, log=lambda _line: None)["users"].values()
    assert len(people) == 6
    for person in people:
        # The test settings hash with MD5 for speed; the run's settings do not accept it.
        person.password = PBKDF2PasswordHasher().encode(PERSONA_PASSWORD, get_random_string(12), iterations=1000)
        person.save(update_fields=["password"])
    for person in people:
        session = requests.Session()
        login = session.get(f"{local_run}/accounts/login/", timeout=30)
        assert login.status_code == 200
        if second_factor_required(person):
            enrol_test_totp(person)
        after = session.post(
            f"{local_run}/accounts/login/",
            data={"login": person.email, "password": PERSONA_PASSWORD, "csrfmiddlewaretoken": _csrf_token(login)},
            timeout=30,
        )
        assert after.status_code == 200, (person.email, after.status_code)
        if "/2fa/authenticate/" in after.url:
            after = session.post(
                after.url,
                data={"code": totp_code_for(person), "csrfmiddlewaretoken": _csrf_token(after)},
                timeout=30,
            )
        assert "/accounts/login/" not in after.url and "/2fa/" not in after.url, (person.email, after.url)
        assert person.get_full_name() in after.text, person.email
        # Cookies a browser sends back over http: none is marked Secure.
        assert session.cookies.get("sessionid") and not any(cookie.secure for cookie in session.cookies)
