"""What a request asks of the cache, for tests that count its reads."""

from django.core.cache import cache


def record_cache_reads(monkeypatch) -> list[str]:
    """From now until the test ends, every key read with ``cache.get`` or ``cache.get_many``, in order."""
    reads: list[str] = []
    real_get, real_get_many = cache.get, cache.get_many

    def counting_get(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    def counting_get_many(keys, *args, **kwargs):
        reads.extend(keys)
        return real_get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    monkeypatch.setattr(cache, "get_many", counting_get_many)
    return reads
