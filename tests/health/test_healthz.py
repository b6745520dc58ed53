import pytest
from django.test import override_settings

from health.services import record_heartbeat
from tests.support import CeleryWorker, wait_for


def _components(client):
    response = client.get("/healthz")
    return response.status_code, response.json()["components"]


def test_healthz_is_503_before_any_background_process_reported(client, db):
    status, components = _components(client)
    assert status == 503
    assert components["database"]["healthy"] is True
    assert components["broker"]["healthy"] is True
    assert components["worker"]["healthy"] is False


def test_healthz_is_200_when_every_component_is_fresh(client, db):
    for name in ("worker:test@host", "beat", "sweep"):
        record_heartbeat(name=name)
    status, components = _components(client)
    assert status == 200, components
    assert set(components) == {"database", "broker", "worker", "beat", "sweep", "cover"}
    assert response_status(client) == "ok"


def response_status(client) -> str:
    return client.get("/healthz").json()["status"]


@pytest.mark.worker
@override_settings(HEARTBEAT_MAX_AGE_SECONDS=3)
def test_healthz_turns_503_soon_after_the_worker_stops(client, transactional_db):
    """A real worker beats every second; once it is killed, /healthz fails within seconds.

    With the production defaults (10 s beats, 60 s maximum age) the same mechanism fails
    /healthz within 70 s, inside the two minutes the foundation issue asks for.
    """
    worker = CeleryWorker({"HEARTBEAT_INTERVAL_SECONDS": "1"}).start()
    try:
        wait_for(lambda: _components(client)[1]["worker"]["healthy"], timeout=40, message="worker heartbeat")
        worker.kill()

        def worker_unhealthy():
            record_heartbeat(name="beat")
            record_heartbeat(name="sweep")
            status, components = _components(client)
            return status == 503 and not components["worker"]["healthy"]

        wait_for(worker_unhealthy, timeout=20, message="/healthz to report the dead worker")
    finally:
        worker.stop()
