"""What a request asks of the cache, for tests that count its reads."""

from django.core.cache import cache


def record_cache_reads(monkeypatch) -> list[str]:
    """From now until the test ends, every key read with ``cache.get``, in order."""
    reads: list[str] = []
    real_get = cache.get

    def counting_get(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    return reads
