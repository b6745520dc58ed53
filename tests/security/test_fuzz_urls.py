"""No GET answers 500: every URL pattern's path converters and query parameters, for every role.

The values are what an attacker (or a broken link) sends: NUL characters, impossible dates,
numbers bigger than any column, very long and odd Unicode strings, next to the real ids of
a world built for the authorization matrix (so the views get past their 404 and read their
parameters). The query parameters are every name the views read from ``request.GET``
(found in the source, so a new one is fuzzed without editing this file) and the fields of
the filter forms bound to it.

Bounded for CI: a few derandomized examples per role, each one request per pattern.
"""

import importlib
import os
import re
import uuid
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.security.test_authorization_matrix import (
    _CONVERTER,
    _REGEX_GROUP,
    ADMIN_PREFIX,
    all_patterns,
    build_world,
    client_for,
    object_kwargs,
)
from tests.support import ROOT

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_URL_EXAMPLES", "1")),
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: one example is a request to every pattern; the failure message lists them all.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The four answers found by hand, kept as named regressions.
REPORTED = ("/audit/?before=2026-13-45T00:00:00_1", "/audit/?before=%00", "/audit/concerns/%00/", "/dev/mail/x%00/")
# Found by this fuzzing: a superscript digit passes str.isdigit() but not int().
FOUND = ("/concerns/{concern}/sharing/new/?supersedes=%C2%B2", "/consent/clients/{client}/limits/new/?corrects=%C2%B2")
ROLES = ("anonymous", "clinician", "lead", "manager", "administrator")

NASTY = [
    "\x00",
    "x\x00y",
    "2026-13-45T00:00:00_1",
    "2026-02-30",
    "9999-12-31T23:59:59_9",
    "0001-01-01",
    "9" * 40,
    "-1",
    "0",
    "²",
    "١٢٣",
    "1e309",
    "NaN",
    "../../etc/passwd",
    "%",
    "' OR 1=1 --",
    "<script>",
    "a" * 1000,
    "\U0001f600" * 50,
    " ",
    "",
]
# Two in three from the list: each parameter of each pattern meets the known troublemakers often.
nasty_text = st.one_of(st.sampled_from(NASTY), st.sampled_from(NASTY), st.text(max_size=60))
big_numbers = st.one_of(st.sampled_from([0, 2**31, 2**63, 10**40]), st.integers(min_value=0, max_value=10**30))

_GET_PARAM = re.compile(r"""request\.GET(?:\.get|\.getlist)?[\(\[]\s*["'](\w+)["']|["'](\w+)["']\s+in\s+request\.GET""")
_GET_FORM = re.compile(r"(\w+Form)\(\s*request\.GET")
PROJECT_APPS = (
    *("accounts", "audit", "consent", "concerns", "alerts", "escalation", "health", "devtools", "safeguarding"),
)


def query_parameter_names() -> list[str]:
    names, forms = set(), set()
    for app in PROJECT_APPS:
        for source in (ROOT / app).rglob("*.py"):
            text = source.read_text()
            names.update(a or b for a, b in _GET_PARAM.findall(text))
            forms.update(_GET_FORM.findall(text))
    for app in PROJECT_APPS:
        if not apps.is_installed(app) and app != "safeguarding":
            continue
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for form_name in forms:
            form = getattr(module, form_name, None)
            if form is not None:
                names.update(form.base_fields)
    names.update({"q", "o", "p", "e", "next"})  # the admin's changelist, and every login redirect
    return sorted(names)


def fuzzed_path(draw, route: str, real: dict) -> str:
    def value_for(name: str, converter: str) -> str:
        if name in real and draw(st.booleans()):
            return str(real[name])
        if converter == "int":
            return str(draw(big_numbers))
        if converter == "uuid":
            return str(uuid.UUID(int=draw(st.integers(min_value=0, max_value=2**128 - 1))))
        return quote(draw(nasty_text), safe="") or "x"

    path = route
    if path.startswith("^") or "(?P<" in path:
        path = path.replace("^", "").replace("$", "").replace("\\", "")
        path = _REGEX_GROUP.sub(lambda m: value_for(m.group("name"), "str"), path)
    path = _CONVERTER.sub(lambda m: value_for(m.group("name"), m.group("conv") or "str"), path)
    return "/" + path


@pytest.fixture
def world(cast):
    return build_world(cast)


def _get(client, path, params=None):
    """One GET in a savepoint, so a failed query cannot poison the next request."""
    with transaction.atomic():
        response = client.get(path, params or {})
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_the_reported_server_errors_are_client_errors(world, role):
    client = client_for(world, role)
    for path in REPORTED:
        status = _get(client, path).status_code
        # A malformed cursor is ignored (the first page); a NUL is refused outright.
        assert status < 500, (path, status)
        if "%00" in path:
            assert status == 400, (path, status)


@pytest.mark.parametrize("role", ["clinician", "lead"])
def test_the_server_errors_found_by_fuzzing_are_client_errors(world, role):
    client = client_for(world, role)
    for template in FOUND:
        path = template.format(concern=world.concern.pk, client=world.client_record.pk)
        assert _get(client, path).status_code == 404, path


@pytest.mark.parametrize("role", ROLES)
def test_no_get_answers_a_server_error(world, role):
    client = client_for(world, role)
    patterns = [
        p
        for p in all_patterns()
        if role == "administrator" or not (p.key.startswith(ADMIN_PREFIX) or p.route.startswith("admin/"))
    ]
    parameters = query_parameter_names()
    assert {"before", "supersedes", "page", "weeks"} <= set(parameters)

    @FUZZ
    @given(st.data())
    def every_pattern(data):
        failures = []
        for pattern in patterns:
            path = fuzzed_path(data.draw, pattern.route, object_kwargs(pattern.key, world))
            params = {name: data.draw(nasty_text) for name in parameters if data.draw(st.booleans())}
            status = _get(client, path, params).status_code
            if status >= 500 and not (pattern.key == "healthz" and status == 503):  # 503: no heartbeats here
                failures.append(f"{status} GET {path} {params!r}")
        assert not failures, "\n".join(failures)

    every_pattern()
