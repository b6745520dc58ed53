"""Allegations against staff, acceptance 1: a concern about a colleague never reaches them.

Concerns name (a) a clinician, (b) the deputy on duty (identified by the lead after submission)
and (c) a manager; (d) a lead declares a conflict of interest on a fourth. The world around them
is busy: the same client, a similar alleged name on a concern everyone may see, a referral
awaiting a response (the managers' drill-down), a break-glass opening (the managers' review
list), a refused break-glass, alerts fired by the real sweep and delivered to an SMTP sink and a
webhook sink. Then, as each of those people:

- every page reachable from their home page by links, GET forms and htmx attributes shows
  neither the reference, nor any text of the concern, nor a link to it;
- every URL pattern taking the concern's ids (its id, reference, referral, notification,
  break-glass access) answers exactly as it does for an object that does not exist;
- their notifications, the emails that reached them and every webhook post say nothing of it.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import quote, urldefrag, urlsplit

import pytest
import time_machine
from django.utils import timezone

from accounts.roles import Role
from alerts.models import DutyShift, Notification, OutboxMessage, OutboxStatus
from alerts.selectors import notifications_for
from alerts.services.delivery import deliver_messages
from alerts.services.sweep import run_sweep
from audit.models import AuditEvent
from audit.services import record_break_glass
from escalation.models import Agency, ExternalReferral, ReferralMethod
from escalation.staff_services import declare_conflict_of_interest, link_alleged_person_to_staff
from tests.conftest import SecondFactorClient
from tests.factories.accounts import UserFactory
from tests.factories.concerns import submit_test_concern
from tests.factories.consent import ClientFactory, explain_limits, published_statement
from tests.factories.workflow import acknowledged
from tests.security.test_authorization_matrix import all_patterns, build_path
from tests.support import SmtpSink

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

MISSING_ID = 999999
MISSING_REFERENCE = "SG-2099-999999"
MAX_PAGES = 300
# Signing out would end the crawl; the admin and the development tools are administrators' only.
NOT_CRAWLED = ("/accounts/", "/admin/", "/static/", "/dev/")


# --- Sinks ----------------------------------------------------------------------------------------


class WebhookSink:
    """A local HTTP endpoint standing in for a Teams or Slack incoming webhook."""

    def __init__(self):
        self.posts: list[str] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", 0))
                sink.posts.append(self.rfile.read(length).decode())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def start(self) -> WebhookSink:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- The world --------------------------------------------------------------------------------------


@dataclass
class Hidden:
    """A concern and the person it must never reach, with the words that must never show."""

    person: object
    concern: object
    words: tuple[str, ...]

    @property
    def forbidden(self) -> tuple[str, ...]:
        pk = self.concern.pk
        return (
            self.concern.reference,
            *self.words,
            f"/concerns/{pk}/",
            f"/queue/concerns/{pk}/",
            f"concern_id={pk}",
        )


def concern_with_words(reporter, client, marker: str, **extra):
    return submit_test_concern(
        reporter=reporter,
        client=client,
        # Due 15 minutes after submission whatever the day: the sweep (on the database's clock)
        # has alerts to fire.
        urgency="immediate",
        summary=f"Summary {marker}-summary of what was said.",
        own_words=f"In her words {marker}-words.",
        observations=f"Observed {marker}-observed.",
        **extra,
    )


@pytest.fixture
def world(cast, settings):
    settings.ALERT_WEBHOOK_URL = ""  # set once the sink listens
    now = timezone.now()
    # The deputy is on duty (with the lead) for the whole test.
    for person, role in ((cast.lead, "lead"), (cast.deputy, "deputy")):
        DutyShift.objects.create(
            user=person, role=role, team=cast.team, starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=3)
        )
    # A second manager, so the named manager's alerts have somewhere to go.
    UserFactory(email="max@example.test", full_name="Max Manager", roles=[Role.MANAGER])
    statement = published_statement(version=1, admin=cast.administrator)
    client = ClientFactory(team=cast.team, created_by=cast.clinician)
    explain_limits(client=client, statement=statement, actor=cast.clinician, explained_at=now - timedelta(days=10))

    with time_machine.travel(now - timedelta(days=2), tick=False):
        about_clinician = concern_with_words(
            cast.other_clinician,
            client,
            "Quokka",
            alleged_persons=[
                dict(
                    identity="known", name="Cara Quokkaname", description="Quokka-alleged", staff_member=cast.clinician
                )
            ],
        )
        about_deputy = concern_with_words(
            cast.other_clinician,
            client,
            "Axolotl",
            alleged_persons=[dict(identity="known", name="Dev Axolotlname", description="Axolotl-alleged")],
        )
        about_manager = concern_with_words(
            cast.other_clinician,
            client,
            "Pangolin",
            alleged_persons=[
                dict(
                    identity="known",
                    name="Mina Pangolinname",
                    description="Pangolin-alleged",
                    staff_member=cast.manager,
                )
            ],
        )
        lead_conflict = concern_with_words(
            cast.other_clinician,
            client,
            "Narwhal",
            alleged_persons=[dict(identity="known", name="Nora Narwhalname", description="Narwhal-alleged")],
        )
        # Concerns everyone involved may see: the clinician's own about the same client, and one
        # with a similar alleged name (possible links would offer the hidden ones).
        own = submit_test_concern(reporter=cast.clinician, client=client)
        similar = submit_test_concern(
            reporter=cast.other_clinician,
            client=client,
            urgency="immediate",
            alleged_persons=[dict(identity="known", name="Dev Axolotlname", description="a neighbour")],
        )

    # The lead identifies the deputy after submission (the deputy was told of it at submission).
    link_alleged_person_to_staff(
        actor=cast.lead,
        concern_id=about_deputy.pk,
        alleged_person_id=about_deputy.alleged_persons.get().pk,
        staff_member_id=cast.deputy.pk,
        reason="The reporter named the deputy.",
    )
    declare_conflict_of_interest(actor=cast.lead, concern_id=lead_conflict.pk, reason="My cousin is involved.")
    # Work on the manager's concern: acknowledged, a referral waiting for an answer (the managers'
    # dashboard drill-down), opened by another team's lead (the managers' break-glass list).
    acknowledged(about_manager, by=cast.lead)
    ExternalReferral.objects.create(
        concern=about_manager,
        agency=Agency.LADO,
        area="Anytown",
        method=ReferralMethod.PHONE,
        referred_at=now - timedelta(days=1),
        made_by=cast.lead,
        created_at=now - timedelta(days=1),
        response_due_at=now - timedelta(hours=1),
    )
    ExternalReferral.objects.create(
        concern=similar,
        agency=Agency.CHILDRENS_SOCIAL_CARE,
        area="Anytown",
        method=ReferralMethod.PHONE,
        referred_at=now - timedelta(days=1),
        made_by=cast.lead,
        created_at=now - timedelta(days=1),
        response_due_at=now - timedelta(hours=1),
    )
    access = record_break_glass(
        actor=cast.lead_other_team, concern_reference=about_manager.reference, team=cast.team, reason="Covering"
    )

    sink = SmtpSink().start()
    webhook = WebhookSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.ALERT_WEBHOOK_URL = webhook.url
    try:
        # The real sweep fires every step that is due (each step of the immediate ladder); each
        # batch of messages is delivered as the worker would.
        for _ in range(4):
            run_sweep()
            pending = OutboxMessage.objects.exclude(status=OutboxStatus.SENT).values_list("pk", flat=True)
            deliver_messages(list(pending))
        yield {
            "cast": cast,
            "client": client,
            "own": own,
            "similar": similar,
            "access": access,
            "sink": sink,
            "webhook": webhook,
            "hidden": {
                "clinician": Hidden(cast.clinician, about_clinician, ("Quokka",)),
                "deputy": Hidden(cast.deputy, about_deputy, ("Axolotl-",)),
                "manager": Hidden(cast.manager, about_manager, ("Pangolin",)),
                "lead": Hidden(cast.lead, lead_conflict, ("Narwhal",)),
            },
        }
    finally:
        webhook.stop()
        sink.stop()


# --- Crawling -------------------------------------------------------------------------------------


class Links(HTMLParser):
    """Every same-site address a person can follow: links, GET forms and htmx requests."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.found.append(values["href"])
        if tag == "form" and (values.get("method") or "get").lower() == "get" and values.get("action"):
            self.found.append(values["action"])
        for attribute in ("hx-get", "data-url", "data-count-url"):
            if values.get(attribute):
                self.found.append(values[attribute])


def links_in(html: str, base: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    paths = []
    for href in parser.found:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue
        if not parts.path.startswith("/"):
            href = base.rsplit("/", 1)[0] + "/" + href if parts.path else base + href
        if href.startswith(NOT_CRAWLED):
            continue
        paths.append(href)
    return paths


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def crawl(browser, start: str = "/") -> dict[str, str]:
    """Breadth first from ``start``: every reachable page's text (and redirect targets)."""
    seen: dict[str, str] = {}
    variants: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        bare = path.split("?", 1)[0]
        if path in seen or variants.get(bare, 0) >= 8:
            continue
        variants[bare] = variants.get(bare, 0) + 1
        response = browser.get(path)
        if response.status_code in (301, 302, 303):
            location = response["Location"]
            seen[path] = f"redirect {location}"
            if location.startswith("/") and not location.startswith(NOT_CRAWLED):
                queue.append(location)
            continue
        text = body_of(response)
        seen[path] = text
        if "html" in response.get("Content-Type", ""):
            queue.extend(links_in(text, path))
    return seen


def signed_in(user) -> SecondFactorClient:
    browser = SecondFactorClient()
    browser.force_login(user)
    return browser


def leaks(texts: dict[str, str], hidden: Hidden) -> list[str]:
    return [f"{where}: {word!r}" for where, text in texts.items() for word in hidden.forbidden if word in text]


# --- Object URLs answer like missing objects ------------------------------------------------------

_VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken" value=""'),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
    (re.compile(r'"csrfToken": "[^"]+"'), '"csrfToken": ""'),
    (re.compile(r'"X-CSRFToken": "[^"]+"'), '"X-CSRFToken": ""'),
    (re.compile(r'content="[A-Za-z0-9]{32,}"'), 'content=""'),
]


def normalised(response, replace: dict[str, str]) -> tuple:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        for old, new in replace.items():
            location = location.replace(old, new)
        return response.status_code, location
    text = body_of(response)
    for old, new in replace.items():
        text = text.replace(old, new)
    for pattern, fixed in _VOLATILE:
        text = pattern.sub(fixed, text)
    return response.status_code, text


def object_kwargs(hidden: Hidden, world) -> tuple[dict, dict]:
    concern = hidden.concern
    referral = concern.external_referrals.first()
    notification = Notification.objects.filter(user=hidden.person, message__concern=concern).first()
    access = world["access"] if concern.reference == world["access"].concern_reference else None
    real = {
        "pk": concern.pk,
        "concern_id": concern.pk,
        "reference": concern.reference,
        "referral_id": referral.pk if referral else MISSING_ID - 1,
        "notification_id": notification.pk if notification else MISSING_ID - 2,
        "access_id": access.pk if access else MISSING_ID - 3,
    }
    missing = {
        "pk": MISSING_ID,
        "concern_id": MISSING_ID,
        "reference": MISSING_REFERENCE,
        "referral_id": MISSING_ID,
        "notification_id": MISSING_ID,
        "access_id": MISSING_ID,
    }
    return real, missing


def object_url_differences(browser, hidden: Hidden, world) -> list[str]:
    real, missing = object_kwargs(hidden, world)
    differences = []
    for pattern in all_patterns():
        names = set(re.findall(r"<(?:[^>:]+:)?([^>]+)>", pattern.route))
        if not names & set(real) or pattern.route.startswith(NOT_CRAWLED[1:]):
            continue
        if not pattern.key.startswith(("concerns:", "escalation:", "alerts:", "audit:")):
            continue  # consent's pk is a client's or a statement's; allauth's an authenticator's
        real_path = build_path(pattern.route, real)
        missing_path = build_path(pattern.route, missing)
        # The answer may echo the address or the reference asked for: nothing else is replaced.
        replace = {
            real_path: missing_path,
            quote(real_path, safe=""): quote(missing_path, safe=""),
            hidden.concern.reference: MISSING_REFERENCE,
        }
        for method in ("get", "post"):
            answer = normalised(getattr(browser, method)(real_path), replace)
            expected = normalised(getattr(browser, method)(missing_path), {})
            if answer != expected:
                first = next(
                    (i for i, (a, b) in enumerate(zip(str(answer[1]), str(expected[1]), strict=False)) if a != b), 0
                )
                differences.append(
                    f"{method.upper()} {pattern.key}: {answer[0]} vs {expected[0]} for a missing one, "
                    f"{str(answer[1])[first - 80 : first + 80]!r} vs {str(expected[1])[first - 80 : first + 80]!r}"
                )
    return differences


# --- The test --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clinician", "deputy", "manager", "lead"])
def test_a_concern_about_a_colleague_never_reaches_them(world, who):
    hidden = world["hidden"][who]
    browser = signed_in(hidden.person)

    pages = crawl(browser)
    assert len(pages) > 3, pages.keys()
    assert not leaks(pages, hidden), leaks(pages, hidden)

    # Their notifications (the bell's list and count, read through the selectors too).
    assert not any(
        word in f"{n.title} {n.body} {n.link}" for n in notifications_for(hidden.person) for word in hidden.forbidden
    )
    count = json.loads(browser.get("/notifications/count/").content)["unread"]
    assert count == notifications_for(hidden.person).filter(read_at__isnull=True, done_at__isnull=True).count()

    # Emails that reached them; webhook posts (a shared room they may read).
    sink, webhook = world["sink"], world["webhook"]
    assert sink.received, "the sweep and the notices sent emails"
    theirs = [r.text() for r in sink.received if hidden.person.email in r.to]
    assert not [word for text in theirs for word in hidden.forbidden if word in text]
    assert webhook.posts, "alerts on concerns everyone may see went to the webhook"
    assert not [word for post in webhook.posts for word in hidden.forbidden if word in post]

    # Every URL pattern with the concern's ids answers exactly as for a missing object.
    assert not object_url_differences(browser, hidden, world)


def test_the_crawl_can_see_what_others_see(world):
    """The same crawl as the lead who works on the deputy's concern finds its reference: the
    crawl does reach the pages where a hidden concern would appear."""
    about_deputy = world["hidden"]["deputy"].concern
    pages = crawl(signed_in(world["cast"].lead))
    assert any(about_deputy.reference in text for text in pages.values())
    assert any("Axolotl-" in text for text in pages.values())


def test_break_glass_into_a_hidden_concern_is_refused_recorded_and_the_managers_are_told(world):
    cast, about_deputy = world["cast"], world["hidden"]["deputy"].concern
    browser = signed_in(cast.deputy)
    refused = browser.post(f"/queue/concerns/{about_deputy.pk}/break-glass/", {"reason": "Just looking"})
    missing = browser.post(f"/queue/concerns/{MISSING_ID}/break-glass/", {"reason": "Just looking"})
    assert refused.status_code == missing.status_code
    event = AuditEvent.objects.get(action="concern.break_glass_refused", actor=cast.deputy)
    assert event.subject_ref == about_deputy.reference
    told = set(
        OutboxMessage.objects.filter(idempotency_key__startswith=f"break-glass-refused:{event.pk}:").values_list(
            "recipient__email", flat=True
        )
    )
    assert told == {cast.manager.email, "max@example.test"}
    assert not notifications_for(cast.deputy).filter(title__contains=about_deputy.reference).exists()
