"""Security headers on every page, and Django's deploy check clean for production settings."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_pages_carry_the_content_security_policy_and_other_headers(client):
    response = client.get(reverse("account_login"))
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_signed_in_pages_are_not_cached(client, cast):
    client.force_login(cast.clinician)
    response = client.get(reverse("mfa_index"))
    assert "no-store" in response["Cache-Control"]


def test_sign_out_clears_the_browser_cache_and_storage(client, cast):
    client.force_login(cast.clinician)
    response = client.post(reverse("account_logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'


# Documents that must stand alone as one file (stored, downloaded, sent to an agency): one
# <style> element is allowed, because the portal serves them only with a CSP that admits that
# element by its hash and no script (tests/escalation/test_referral_packs.py checks the header).
STANDALONE_DOCUMENTS = {"escalation/templates/escalation/packs/document.html"}


def test_no_template_has_inline_script_or_style_or_event_handlers():
    """The CSP would refuse them: behaviour lives in static/js, style in static/css."""
    import re

    inline_script = re.compile(r"<script(?![^>]*(\bsrc=|type=\"application/json\"))[^>]*>", re.I)
    forbidden = [
        re.compile(r"\son[a-z]+\s*=", re.I),
        re.compile(r"\sstyle\s*=", re.I),
        re.compile(r"hx-on", re.I),
    ]
    style_element = re.compile(r"<style", re.I)
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        text = template.read_text()
        name = str(template.relative_to(ROOT))
        styled = style_element.search(text) and (
            name not in STANDALONE_DOCUMENTS or len(style_element.findall(text)) > 1
        )
        if inline_script.search(text) or any(p.search(text) for p in forbidden) or styled:
            offenders.append(name)
    assert not offenders, offenders
    # A standalone document carries no script at all, not even one from a file.
    for name in STANDALONE_DOCUMENTS:
        assert "<script" not in (ROOT / name).read_text().lower(), name


def production_env() -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings",
        "DEBUG": "false",
        "SECRET_KEY": "deploy-check-" + "k3y-" * 16,
        "ALLOWED_HOSTS": "safeguarding.example.org",
        "SITE_URL": "https://safeguarding.example.org",
        "DATABASE_URL": "postgres://safeguarding_app@127.0.0.1:5432/safeguarding",
    }
    for test_only in ("SECURE_SSL", "DJANGO_ALLOW_ASYNC_UNSAFE", "AUDIT_MAINTENANCE_SESSION", "DEVTOOLS_ENABLED"):
        env.pop(test_only, None)
    return env


def test_deploy_check_is_clean_for_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_has_no_development_tools():
    """The local mail viewer is not installed in production: /dev/mail/ is no URL at all."""
    probe = (
        "import django; django.setup()\n"
        "from django.apps import apps\n"
        "from django.urls import Resolver404, resolve\n"
        "assert not apps.is_installed('devtools'), 'devtools installed'\n"
        "try:\n"
        "    resolve('/dev/mail/')\n"
        "except Resolver404:\n"
        "    print('no such page')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no such page" in result.stdout
