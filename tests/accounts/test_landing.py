import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("persona", "start_page"),
    [
        ("clinician", "concerns:mine"),
        ("lead", "escalation:queue"),
        ("deputy", "escalation:queue"),
        ("manager", "audit:trail"),
        ("administrator", "accounts:administration"),
    ],
)
def test_each_role_lands_on_its_own_start_page(client, cast, persona, start_page):
    client.force_login(getattr(cast, persona))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(start_page)


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_signup_is_closed(client, db):
    """Accounts are made by administrators: the sign-up page does not exist and creates nobody."""
    from accounts.models import User

    assert client.get("/accounts/signup/").status_code == 404
    client.post(
        "/accounts/signup/",
        {"email": "new@example.test", "password1": "a-long-password-123", "password2": "a-long-password-123"},
    )
    assert not User.objects.filter(email="new@example.test").exists()
