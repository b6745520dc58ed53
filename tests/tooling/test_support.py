"""tests/support: the SMTP sink, private Redis and gunicorn servers, and the marker guards."""

import smtplib
from email.message import EmailMessage

import pytest
import redis

from tests.conftest import pytest_collection_modifyitems
from tests.support import CeleryWorker, GunicornServer, RedisServer, SmtpSink, free_port, portal_env, wait_for


def _message(number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "portal@example.test", "leah@example.test", f"SG-{number}"
    message["Message-ID"] = f"<test.{number}@example.test>"
    message.set_content(f"Body {number}")
    return message


def _send(port: int, message: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


def test_the_smtp_sink_records_refuses_on_demand_and_comes_back_on_its_port():
    sink = SmtpSink().start()
    try:
        _send(sink.port, _message(1))
        sink.failing = True
        with pytest.raises(smtplib.SMTPDataError) as refused:
            _send(sink.port, _message(2))
        assert refused.value.smtp_code == 451
        sink.failing = False
        sink.stop()
        with pytest.raises(ConnectionRefusedError):
            _send(sink.port, _message(3))
        sink.start()
        _send(sink.port, _message(4))
    finally:
        sink.stop()
    assert [(r.message_id, r.subject, r.to) for r in sink.received] == [
        ("<test.1@example.test>", "SG-1", ["leah@example.test"]),
        ("<test.4@example.test>", "SG-4", ["leah@example.test"]),
    ]
    assert sink.message_id_counts()["<test.4@example.test>"] == 1
    assert "Body 4" in sink.texts()[1]


def test_a_private_redis_loses_everything_when_killed_and_restarts_on_its_port():
    server = RedisServer().start()
    try:
        client = redis.Redis.from_url(server.url)
        client.set("key", "value")
        server.kill()
        with pytest.raises(redis.ConnectionError):
            client.get("key")
        server.start()
        assert client.get("key") is None
    finally:
        server.stop()


@pytest.mark.slow
def test_two_gunicorn_servers_each_have_their_own_control_socket():
    env = portal_env()
    servers = [GunicornServer(free_port(), env=env, log=True, workers=1, threads=1) for _ in range(2)]
    try:
        for server in servers:
            server.start()
        sockets = [server.control_dir / "gunicorn.ctl" for server in servers]
        assert sockets[0] != sockets[1]
        wait_for(lambda: all(path.exists() for path in sockets), timeout=30, message="both control sockets")
        assert all(server.process.poll() is None for server in servers)
    finally:
        for server in servers:
            server.cleanup()
    assert not any(server.control_dir.exists() for server in servers)


def test_a_test_without_the_worker_marker_cannot_start_a_worker():
    worker = CeleryWorker()
    with pytest.raises(RuntimeError, match="not marked @pytest.mark.worker"):
        worker.start()
    assert worker.process is None


class _Item:
    def __init__(self, nodeid, fixturenames, markers=()):
        self.nodeid, self.fixturenames, self.markers = nodeid, fixturenames, markers

    def get_closest_marker(self, name):
        return name if name in self.markers else None


def test_a_test_that_uses_the_browser_must_be_marked_browser():
    marked = _Item("tests/a.py::marked", ["page", "live_server"], markers=("browser",))
    plain = _Item("tests/a.py::plain", ["client", "cast"])
    pytest_collection_modifyitems(None, [marked, plain])
    unmarked = _Item("tests/a.py::unmarked", ["page", "live_server"])
    with pytest.raises(pytest.UsageError, match="tests/a.py::unmarked"):
        pytest_collection_modifyitems(None, [marked, plain, unmarked])
