import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Login-failure counters and used TOTP codes live in the (shared test) Redis cache."""
    cache.clear()
    yield
    cache.clear()
