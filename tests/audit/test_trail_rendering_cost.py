"""The audit trail's filter lists every account: its cost must not grow per account.

Django renders each option of a select through a template include; with hundreds of
accounts that was most of the page. The person filter is built in one pass
(``accounts.widgets.QuickSelect``) and must produce the same markup as Django's select.
"""

import re

from django import forms
from django.test.signals import template_rendered
from django.urls import URLResolver, reverse

from accounts.models import User
from accounts.widgets import QuickSelect
from audit.services import record_event


def _templates_rendered(client, url) -> int:
    rendered = []

    def count(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(count)
    try:
        assert client.get(url).status_code == 200
    finally:
        template_rendered.disconnect(count)
    return len(rendered)


def test_the_trail_renders_as_many_templates_for_200_accounts_as_for_a_handful(cast, client):
    client.force_login(cast.manager)
    url = reverse("audit:trail")
    client.get(url)
    few = _templates_rendered(client, url)
    User.objects.bulk_create([User(email=f"person{i}@example.test", full_name=f"Person {i}") for i in range(200)])
    many = _templates_rendered(client, url)
    assert many == few
    html = client.get(url).content.decode()
    assert html.count("@example.test)</option>") >= 200


def _normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


def test_quick_select_renders_what_djangos_select_renders():
    choices = [("", "Anyone"), (1, "Ann <Admin> & co"), (2, 'Bo "Quoted"'), (3, "Cy")]
    attrs = {"id": "id_person", "class": "form-select", "aria-describedby": "id_person_help"}
    for value in (None, "", 2, "3"):
        expected = forms.Select(choices=choices).render("person", value, attrs)
        assert _normalised(QuickSelect(choices=choices).render("person", value, attrs)) == _normalised(expected)


def test_the_people_select_renders_what_djangos_select_renders():
    choices = [("", "Anyone"), (1, "Ann <Admin> & co"), (2, "Bo 'Quoted' \"twice\""), (3, "Cy"), (4, "Cy")]
    attrs = {"id": "id_person", "class": "form-select", "aria-describedby": "id_person_help", "required": True}
    for value in (None, "", 2, "3", "<x>"):
        expected = forms.Select(choices=choices).render("person", value, attrs)
        assert _normalised(QuickSelect(choices=choices).render("person", value, attrs)) == _normalised(expected)


def test_quick_select_renders_option_groups_as_djangos_select_does():
    choices = [
        ("", "Any"),
        ("Wales & <England>", [("a", "Ann"), ("b", "Bo")]),
        ("c", "Cy"),
        ("Scotland", [("d", "Di")]),
    ]
    for value in (None, "", "b", "c", "d"):
        expected = forms.Select(choices=choices).render("category", value, {"id": "id_category"})
        rendered = QuickSelect(choices=choices).render("category", value, {"id": "id_category"})
        assert _normalised(rendered) == _normalised(expected)


def test_the_person_filter_keeps_the_chosen_person(cast, client):
    client.force_login(cast.manager)
    html = client.get(reverse("audit:trail"), {"person": cast.lead.pk}).content.decode()
    assert re.search(rf'<option value="{cast.lead.pk}" selected>Leah Lead \(leah@example.test\)</option>', html)


def _reversals_and_templates(client, url, monkeypatch) -> tuple[int, int]:
    """How many URLs the page resolves and templates it renders (Django's own, counted)."""
    reversals = []
    original = URLResolver._reverse_with_prefix

    def counted(self, *args, **kwargs):
        reversals.append(args[0])
        return original(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(URLResolver, "_reverse_with_prefix", counted)
        templates = _templates_rendered(client, url)
    return len(reversals), templates


def test_the_trail_does_no_work_per_row_in_its_templates(cast, client, monkeypatch):
    """A full page of 50 rows resolves as many URLs and renders as many templates as a page of
    two: each row's strings are built once in Python (audit.trail_rows)."""
    client.force_login(cast.manager)
    url = reverse("audit:trail")
    record_event(action="concern.viewed", actor=cast.lead, subject_ref="SG-2026-000001")
    client.get(url)
    few = _reversals_and_templates(client, url, monkeypatch)
    for number in range(60):
        record_event(action="concern.viewed", actor=cast.lead, subject_ref=f"SG-2026-{number:06d}")
    many = _reversals_and_templates(client, url, monkeypatch)
    assert many == few
    html = client.get(url).content.decode()
    assert html.count('<span class="small text-body-secondary">#') == 50
    assert html.count(f'<a href="{reverse("audit:person_activity", args=[cast.lead.pk])}">') > 40
    assert f'<a href="{reverse("audit:concern_access_log", args=["SG-2026-000059"])}">SG-2026-000059</a>' in html
