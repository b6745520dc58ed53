"""Waiting for a condition that another process makes true."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    predicate: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.2, message: str = "condition"
) -> T:
    """Poll ``predicate`` until it returns something true, and return that; fail after ``timeout``.

    The timeout only bounds a hang: nothing is asserted about how long it took.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")
