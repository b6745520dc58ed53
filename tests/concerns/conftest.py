import pytest


@pytest.fixture(autouse=True)
def default_categories(request):
    """Transactional tests flush every table (seeded code lists included); put the codes back."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        from concerns.categories import ensure_default_categories

        request.getfixturevalue("transactional_db")
        ensure_default_categories()
