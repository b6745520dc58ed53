"""A real SMTP server on a loopback port (aiosmtpd) that records every message it accepts.

It can be stopped and started again on the same port (an SMTP outage: connection refused),
and can refuse every message while it listens (``failing``: 451, a temporary failure). 451
rather than 421: on a 421 smtplib drops the connection, so in a batch only the first message
would meet the refusal and the rest a closed connection.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default as default_policy

from tests.support.ports import free_port


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    message_id: str
    to: list[str]
    subject: str
    received_at: float  # time.time() when the server accepted it
    raw: bytes

    def text(self) -> str:
        """The message as text: raw, the subject, and every text part decoded (base64, quoted-printable)."""
        parsed = message_from_bytes(self.raw, policy=default_policy)
        parts = [self.raw.decode("utf-8", "replace"), str(parsed.get("Subject", ""))]
        for part in parsed.walk():
            if not part.is_multipart() and part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return "\n".join(parts)


class _RecordingHandler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.sink.failing:
            return "451 Requested action aborted: try again later"
        raw = envelope.original_content or envelope.content
        parsed = message_from_bytes(raw, policy=default_policy)
        received = Received(
            message_id=str(parsed.get("Message-ID", "")),
            to=list(envelope.rcpt_tos),
            subject=str(parsed.get("Subject", "")),
            received_at=time.time(),
            raw=raw,
        )
        with self.sink._lock:
            self.sink._received.append(received)
        return "250 Message accepted"


class SmtpSink:
    """``SmtpSink().start()``; point the portal at ``email_url``; read ``received``; ``stop()``."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.failing = False  # while true, every message is answered 451 (temporary failure)
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._controller = None

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self._controller = Controller(_RecordingHandler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def message_id_counts(self) -> Counter:
        return Counter(message.message_id for message in self.received)

    def texts(self) -> list[str]:
        return [message.text() for message in self.received]
