"""The navigation: each role's entries, with the page being shown marked for assistive technology."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _entries(body: str) -> list[tuple[str, str, bool]]:
    nav = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', body, re.S).group(1)
    return [
        (href, label, "aria-current" in attributes)
        for attributes, href, label in re.findall(r'<a class="nav-link([^"]*"[^>]*?)\s*href="([^"]+)">([^<]+)</a>', nav)
    ]


def test_a_lead_s_entries_lead_to_their_pages_and_mark_the_one_shown(cast, client):
    client.force_login(cast.lead)
    entries = _entries(client.get(reverse("escalation:queue")).content.decode())
    assert [(href, label) for href, label, _current in entries] == [
        (reverse("concerns:mine"), "My concerns"),
        (reverse("concerns:new"), "New concern"),
        (reverse("consent:client_list"), "Clients"),
        (reverse("escalation:queue"), "Queue"),
    ]
    assert [label for _href, label, current in entries if current] == ["Queue"]
    entries = _entries(client.get(reverse("concerns:mine")).content.decode())
    assert [label for _href, label, current in entries if current] == ["My concerns"]


def test_a_manager_sees_the_trail_and_dashboards_only(cast, client):
    client.force_login(cast.manager)
    entries = _entries(client.get(reverse("audit:trail")).content.decode())
    assert [label for _href, label, _current in entries] == ["Audit trail", "Dashboards"]
    assert [label for _href, label, current in entries if current] == ["Audit trail"]
