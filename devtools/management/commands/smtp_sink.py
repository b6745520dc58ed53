"""A local SMTP server for development: accepts every message and stores it under DEV_MAIL_DIR,
where /dev/mail/ shows it to administrators. Never for production."""

import signal
import threading
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand


class MailDirHandler:
    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        temporary = self.folder / (name + ".part")
        temporary.write_bytes(envelope.original_content or envelope.content)
        temporary.rename(self.folder / name)  # readers never see half a message
        return "250 Message accepted for local delivery"


class Command(BaseCommand):
    help = "Run a local SMTP sink that stores every message for the /dev/mail/ page."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument("--dir", default=None, help="Where to store messages (default DEV_MAIL_DIR).")

    def handle(self, *args, host, port, dir=None, **options):
        folder = Path(dir or settings.DEV_MAIL_DIR)
        controller = Controller(MailDirHandler(folder), hostname=host, port=port)
        controller.start()
        self.stdout.write(f"SMTP sink on {host}:{port}, storing messages in {folder}")
        self.stdout.flush()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        signal.signal(signal.SIGINT, lambda *a: stop.set())
        try:
            stop.wait()
        finally:
            controller.stop()
            self.stdout.write("SMTP sink stopped.")
