import pytest


@pytest.fixture(autouse=True)
def default_lawful_bases(request):
    """Transactional tests flush every table (seeded code lists included); put the lists back."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        from consent.lawful_bases import ensure_default_lawful_bases

        request.getfixturevalue("transactional_db")
        ensure_default_lawful_bases()
