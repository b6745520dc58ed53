#!/usr/bin/env python
"""``make bench``: build a database of realistic size, measure the portal, write the results.

1. Drop and create the benchmark's own databases (``bench_safeguarding`` and, for the
   sweep's baseline, ``bench_safeguarding_small``), migrate as the owner role.
2. Generate data with COPY (benchmarks/datagen.py): BENCH_SCALE=default is 100k open
   concerns and 1M audit events; BENCH_SCALE=large is 1M concerns and 10M events, in its own
   databases (``bench_safeguarding_large``), with its results in results-large.json.
3. Measure, each figure a ratio or a distribution from this one run: intake (full form vs a
   minimal insert, through gunicorn), the lead's queue (server time vs bare SQL), the sweep
   (1k vs all concerns), alert latency (1000 deadlines due at once, to SMTP acceptance),
   verify_audit, the audit trail's first and a deep page, peak memory of the processes.
4. Save the EXPLAIN (ANALYZE, BUFFERS) plans of the hot queries (benchmarks/plans/), write
   benchmarks/results.json and update docs/benchmarks.md with a table and an SVG chart.

Every server it needs is its own: Redis, gunicorn and an SMTP sink on free ports, stopped
at the end. The runtime processes connect as the runtime role, as in production.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(ROOT)  # import the project, not this folder's modules as top-level names
else:
    sys.path.insert(0, str(ROOT))

from benchmarks import queue_variants  # noqa: E402 - after the path is set

BENCH_DIR = ROOT / "benchmarks"
# The default scale's results, plans and databases are the ones the page and the targets read;
# another scale (BENCH_SCALE=large) keeps its own beside them, so it never overwrites them.
SCALE_NAME = os.environ.get("BENCH_SCALE", "default")
_OTHER_SCALE = SCALE_NAME != "default"
PLANS_DIR = BENCH_DIR / "plans" / SCALE_NAME if _OTHER_SCALE else BENCH_DIR / "plans"
RESULTS = BENCH_DIR / (f"results-{SCALE_NAME}.json" if _OTHER_SCALE else "results.json")
LOG_DIR = ROOT / "var" / "bench"
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("BENCH_PG_PORT", "5432")
OWNER = os.environ.get("BENCH_DB_OWNER", "safeguarding")
APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "safeguarding_app")
BIG_DB = os.environ.get("BENCH_DB", f"bench_safeguarding_{SCALE_NAME}" if _OTHER_SCALE else "bench_safeguarding")
SMALL_DB = f"{BIG_DB}_small"
SECRET_KEY = secrets.token_urlsafe(64)
ORIGINAL_ENV = dict(os.environ)

PHASES = (
    "sweep",
    "verify_audit",
    "request_floor",
    "queue",
    "queue_variants",
    "audit_pages",
    "intake",
    "alert_latency",
    "alert_latency_10k",
)
TARGETS = {
    "request_floor_p95_ms": ("<=", 10.0),
    "intake_ratio": (">=", 0.5),
    "queue_p95_ms": ("<=", 60.0),
    "queue_sql_ratio": ("<=", 5.0),
    "queue_query_count": ("<=", 12),
    "queue_counts_p95_ms": ("<=", 60.0),
    "sweep_ratio": ("<=", 1.5),
    **queue_variants.TARGETS,
    "alert_latency_p99_s": ("<=", 15.0),
    "alert_latency_10k_p99_s": ("<=", 60.0),
    "audit_first_page_ms": ("<=", 50.0),
    "audit_deep_page_ms": ("<=", 50.0),
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def db_url(name: str, role: str) -> str:
    return f"postgres://{role}@{PG_HOST}:{PG_PORT}/{name}"


def base_env(*, redis_port: int, smtp_port: int, web_port: int, database: str, role: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": db_url(database, role),
            "DATABASE_APP_ROLE": APP_ROLE,
            "DEBUG": "false",
            "SECURE_SSL": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SITE_URL": f"http://127.0.0.1:{web_port}",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{web_port}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/1",
            "CACHE_KEY_PREFIX": "bench",
            "CELERY_QUEUE": "bench",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "DB_CONN_MAX_AGE": "60",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q
    low, high = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": round(percentile(values, 0.5), 3),
        "p95": round(percentile(values, 0.95), 3),
        "p99": round(percentile(values, 0.99), 3),
        "max": round(max(values), 3) if values else None,
    }


# --- Databases ---------------------------------------------------------------------------------


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={OWNER} dbname=postgres", autocommit=True) as conn:
        conn.execute(statement)


def recreate_database(name: str, template: str | None = None) -> None:
    if name in {"safeguarding"} or name.startswith("test"):
        raise SystemExit(f"Refusing to touch database {name}")
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{name}" OWNER "{OWNER}"' + (f' TEMPLATE "{template}"' if template else ""))


def use_database(name: str) -> None:
    """Point this process's Django connection at another benchmark database."""
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name


def vacuum_analyze() -> None:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(f"VACUUM ANALYZE in {time.monotonic() - started:.1f}s")


def checkpoint() -> None:
    """Write the load's dirty pages out before anything is measured. Otherwise the checkpoint the
    load set off spreads its writes over the first phases: seen as 93 s of writing under the
    request floor and the queue, whose p95 went from 46 to 72 ms while later phases were unaffected.

    CHECKPOINT needs the pg_checkpoint role; the owner role is tried first, then the server's
    superuser (trusted on the local port in development)."""
    import psycopg

    started = time.monotonic()
    refusal = None
    for role in (OWNER, "postgres"):
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, user=role, dbname="postgres", autocommit=True) as conn:
                conn.execute("CHECKPOINT")
        except psycopg.Error as exc:
            refusal = exc
            continue
        log(f"CHECKPOINT as {role} in {time.monotonic() - started:.1f}s")
        return
    log(f"CHECKPOINT refused ({refusal}): the first phases may share the disk with the load's checkpoint")


def create_minimal_table() -> None:
    from django.db import connection

    from benchmarks.views import MINIMAL_TABLE

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MINIMAL_TABLE} (id bigserial PRIMARY KEY, author_id bigint NOT NULL,"
            f" summary text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(f'GRANT SELECT, INSERT ON {MINIMAL_TABLE} TO "{APP_ROLE}"')
        cursor.execute(f'GRANT USAGE ON SEQUENCE {MINIMAL_TABLE}_id_seq TO "{APP_ROLE}"')


# --- Sessions and requests ------------------------------------------------------------------


def signed_in_client(email: str):
    """A client whose session is as after a password and a second factor (as tests/conftest.py's)."""
    from django.test import Client

    from accounts.allauth_internals import record_completed_sign_in
    from accounts.models import User
    from benchmarks.datagen import enrol_totp

    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user)
    record_completed_sign_in(client.session, user, enrol_totp(user))
    return client


def signed_in_cookie(email: str) -> str:
    from django.conf import settings

    return signed_in_client(email).cookies[settings.SESSION_COOKIE_NAME].value


def http_session(cookie: str):
    import requests
    from django.conf import settings

    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, cookie, domain="127.0.0.1", path="/")
    return session


def server_ms(response) -> float:
    match = re.search(r"app;dur=([0-9.]+)", response.headers.get("Server-Timing", ""))
    if not match:
        raise RuntimeError(f"No Server-Timing header from {response.url} ({response.status_code})")
    return float(match.group(1))


def server_cpu_ms(response) -> float | None:
    match = re.search(r"cpu;dur=([0-9.]+)", response.headers.get("Server-Timing", ""))
    return float(match.group(1)) if match else None


# The page phases run without the sweep's loop, which would share the two cores with the pages
# measured. Every lead's and manager's page says "Alerting is delayed" (and reads the heartbeat
# again on each visit) once the sweep's heartbeat is three intervals old, which a running portal
# never shows; so the runner records the heartbeat as often as the sweep's loop would.
_sweep_heartbeat_recorded_at = 0.0


def keep_the_sweep_heartbeat_fresh() -> None:
    global _sweep_heartbeat_recorded_at
    from django.conf import settings

    from health.services import record_heartbeat

    if time.monotonic() - _sweep_heartbeat_recorded_at >= settings.SWEEP_INTERVAL_SECONDS:
        record_heartbeat(name="sweep")
        _sweep_heartbeat_recorded_at = time.monotonic()


def timed_gets(
    session, url: str, *, warmup: int, count: int, budget_s: float = 90.0, at_least: int = 12, cpu: list | None = None
) -> tuple[list[float], list[int]]:
    """Up to ``count`` timed requests; a slow page stops after ``budget_s`` with ``at_least`` samples.

    ``cpu``, when given, collects each request's CPU time in the web process (load-independent).
    """
    times, queries = [], []
    started = time.monotonic()
    for i in range(warmup + count):
        if len(times) >= at_least and time.monotonic() - started > budget_s:
            break
        keep_the_sweep_heartbeat_fresh()
        response = session.get(url, allow_redirects=False, timeout=120)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code} {response.headers.get('Location', '')}")
        if i >= warmup:
            times.append(server_ms(response))
            queries.append(int(response.headers.get("X-Bench-Queries", "0")))
            if cpu is not None and server_cpu_ms(response) is not None:
                cpu.append(server_cpu_ms(response))
    return times, queries


def captured_queries(email: str, path: str) -> list[dict]:
    """Every SQL statement one request runs, with its parameters (in-process, same settings)."""
    from django.db import connection

    statements = []

    def capture(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append({"sql": sql, "params": params, "ms": (time.perf_counter() - started) * 1000})

    client = signed_in_client(email)
    with connection.execute_wrapper(capture):
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"In-process GET {path} answered {response.status_code}")
    return statements


def main_query(statements: list[dict], table: str) -> dict:
    """The statement that reads the page's rows: a SELECT from ``table`` with an ORDER BY and a
    LIMIT that is not a count (the capped counts have a LIMIT too), the slowest if several."""
    candidates = [
        s
        for s in statements
        if s["sql"].lstrip().upper().startswith("SELECT")
        and f'FROM "{table}"' in s["sql"]
        and "LIMIT" in s["sql"].upper()
        and "ORDER BY" in s["sql"].upper()
        and "COUNT(" not in s["sql"].upper()
    ]
    if not candidates:
        raise RuntimeError(f"No page query on {table} among {len(statements)} statements")
    return max(candidates, key=lambda s: s["ms"])


def explain(statement: dict, name: str, *, main_table: str) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS), saved to benchmarks/plans/<name>.txt, and whether it uses an index."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement["sql"], statement["params"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)  # a FOR UPDATE claim must not keep anything
    PLANS_DIR.mkdir(parents=True, exist_ok=True)
    sql = statement["sql"]
    path = PLANS_DIR / f"{name}.txt"
    path.write_text(f"-- {name}\n{sql}\n-- params: {statement['params']!r}\n\n{plan}\n")
    seq_scans = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
    uses_index = bool(re.search(r"Index (Only )?Scan|Bitmap Index Scan", plan)) and main_table not in seq_scans
    execution = re.search(r"Execution Time: ([0-9.]+) ms", plan)
    return {
        "uses_index": uses_index,
        "seq_scans": seq_scans,
        "execution_ms": float(execution.group(1)) if execution else None,
        "file": str(path.relative_to(ROOT)),
    }


def rows_returned(statement: dict) -> int:
    """How many rows ``statement`` (captured with its parameters) reads now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement["sql"], statement["params"])
        return len(cursor.fetchall())


def bare_sql_times(
    statement: dict, *, warmup: int, count: int, budget_s: float = 60.0, at_least: int = 12
) -> list[float]:
    from django.db import connection

    times = []
    began = time.monotonic()
    with connection.cursor() as cursor:
        for i in range(warmup + count):
            if len(times) >= at_least and time.monotonic() - began > budget_s:
                break
            started = time.perf_counter()
            cursor.execute(statement["sql"], statement["params"])
            cursor.fetchall()
            if i >= warmup:
                times.append((time.perf_counter() - started) * 1000)
    return times


# --- The figures ----------------------------------------------------------------------------------


# What static/js/notifications.js sends with each poll of the bell.
BELL_POLL_HEADERS = {"Accept": "application/json", "X-Background-Request": "true"}


def bench_request_floor(web: str, people, *, count: int) -> dict:
    """A signed-in lead's smallest page: the bell's unread count, which every open page polls.

    What is left of its server time is the per-request floor every signed-in page pays
    (session, user, roles, second factor, the middleware) before its own work. It is asked as
    the bell asks it (a background request, which reads the session but does not extend it);
    the same page asked as a foreground request, which also saves the session, is recorded
    beside it (``request_floor_foreground_p95_ms``).
    """
    session = http_session(signed_in_cookie(people.bench_lead[1]))
    cpu: list[float] = []
    session.headers.update(BELL_POLL_HEADERS)
    times, queries = timed_gets(session, f"{web}/notifications/count/", warmup=10, count=count, cpu=cpu)
    foreground = http_session(signed_in_cookie(people.bench_lead[1]))
    foreground_times, foreground_queries = timed_gets(foreground, f"{web}/notifications/count/", warmup=10, count=count)
    statements = captured_queries(people.bench_lead[1], "/notifications/count/")
    page, foreground_page = summary(times), summary(foreground_times)
    return {
        "request_floor_p95_ms": page["p95"],
        "request_floor_p50_ms": page["p50"],
        "request_floor_cpu_p50_ms": summary(cpu)["p50"] if cpu else None,
        "request_floor_query_count": max(queries),
        "request_floor_foreground_p95_ms": foreground_page["p95"],
        "details": {
            "page_ms": page,
            "foreground_page_ms": foreground_page,
            "headers": BELL_POLL_HEADERS,
            "web_cpu_ms": summary(cpu) if cpu else None,
            "queries_per_request": sorted(set(queries)),
            "foreground_queries_per_request": sorted(set(foreground_queries)),
            "statements": [s["sql"][:120] for s in statements],
        },
    }


def bench_queue(web: str, people, *, count: int) -> dict:
    session = http_session(signed_in_cookie(people.bench_lead[1]))
    cpu: list[float] = []
    times, queries = timed_gets(session, f"{web}/queue/", warmup=3, count=count, cpu=cpu)
    # The counts above the queue, as the page asks for them (htmx, on load and every 30 s).
    counts_session = http_session(signed_in_cookie(people.bench_lead[1]))
    counts_session.headers.update({"HX-Request": "true", "X-Background-Request": "true"})
    counts_cpu: list[float] = []
    counts_times, counts_queries = timed_gets(
        counts_session, f"{web}/queue/counts/", warmup=3, count=count, cpu=counts_cpu
    )
    statements = captured_queries(people.bench_lead[1], "/queue/")
    rows_query = main_query(statements, "concerns_concern")
    plan = explain(rows_query, "queue", main_table="concerns_concern")
    sql_times = bare_sql_times(rows_query, warmup=3, count=count)
    from concerns.models import OPEN_STATUSES, Concern

    open_count = Concern.objects.filter(status__in=OPEN_STATUSES).count()
    page, sql, counts = summary(times), summary(sql_times), summary(counts_times)
    return {
        "queue_p95_ms": page["p95"],
        "queue_p50_ms": page["p50"],
        "queue_query_count": max(queries),
        "queue_sql_ratio": round(page["p95"] / sql["p95"], 2) if sql["p95"] else None,
        "queue_counts_p95_ms": counts["p95"],
        "details": {
            "open_concerns": open_count,
            "page_ms": page,
            "bare_sql_ms": sql,
            "web_cpu_ms": summary(cpu) if cpu else None,
            "queries_per_request": sorted(set(queries)),
            "counts_ms": counts,
            "counts_web_cpu_ms": summary(counts_cpu) if counts_cpu else None,
            "counts_queries_per_request": sorted(set(counts_queries)),
        },
        "plan": plan,
    }


def bench_audit_pages(web: str, people, *, count: int) -> dict:
    from django.db import connection

    from audit.selectors import Cursor

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        (events,) = cursor.fetchone()
        depth = int(events * 0.9)
        cursor.execute(
            "SELECT occurred_at, id FROM audit_auditevent ORDER BY occurred_at DESC, id DESC OFFSET %s LIMIT 1",
            [depth],
        )
        occurred_at, event_id = cursor.fetchone()
    before = Cursor(occurred_at, event_id).encode()
    session = http_session(signed_in_cookie(people.manager[1]))
    first_cpu: list[float] = []
    deep_cpu: list[float] = []
    first, first_queries = timed_gets(session, f"{web}/audit/", warmup=3, count=count, cpu=first_cpu)
    from urllib.parse import urlencode

    deep_path = f"/audit/?{urlencode({'before': before})}"
    deep, deep_queries = timed_gets(session, f"{web}{deep_path}", warmup=3, count=count, cpu=deep_cpu)
    first_plan = explain(
        main_query(captured_queries(people.manager[1], "/audit/"), "audit_auditevent"),
        "audit_first_page",
        main_table="audit_auditevent",
    )
    deep_plan = explain(
        main_query(captured_queries(people.manager[1], deep_path), "audit_auditevent"),
        "audit_deep_page",
        main_table="audit_auditevent",
    )
    first_s, deep_s = summary(first), summary(deep)
    return {
        "audit_first_page_ms": first_s["p95"],
        "audit_deep_page_ms": deep_s["p95"],
        "details": {
            "events": events,
            "deep_page_offset": depth,
            "first_page_ms": first_s,
            "deep_page_ms": deep_s,
            "first_page_web_cpu_ms": summary(first_cpu) if first_cpu else None,
            "deep_page_web_cpu_ms": summary(deep_cpu) if deep_cpu else None,
            "first_page_queries": max(first_queries),
            "deep_page_queries": max(deep_queries),
        },
        "plans": {"audit_first_page": first_plan, "audit_deep_page": deep_plan},
    }


def bench_my_concerns_plan(people) -> dict:
    statements = captured_queries(people.clinician[1], "/concerns/")
    return explain(main_query(statements, "concerns_concern"), "my_concerns", main_table="concerns_concern")


def full_form(client_id: int | None, categories: list[str]) -> dict:
    """Every part of the record, as the browser posts it (formsets included)."""
    data = {
        "submission_key": str(uuid.uuid4()),
        "client": str(client_id or ""),
        "immediate_danger": "yes",
        "emergency_action": "social_care",
        "emergency_action_notes": "Phoned the children's social care duty desk at 14:10; reference given.",
        "urgency": "same_day",
        "jurisdiction": "england",
        "occurred_on": datetime.now(UTC).date().isoformat(),
        "occurred_on_text": "",
        "location": "Clinic room 2",
        "setting": "session",
        "setting_detail": "",
        "people_present": "Only the client and me.",
        "abuse_period": "",
        "summary": "Client disclosed physical harm at home by her stepfather; younger siblings in the house.",
        "discloser_type": "client",
        "discloser_police_wishes": "undecided",
        "discloser_identity_wishes": "share",
        "discloser_notes": "Wants to think about the police.",
        "support_offered": "Gave the NSPCC helpline number and arranged a session tomorrow.",
        "own_words": '"He hits me when mum is at work. He said nobody would believe me." ' * 6,
        "observations": "Bruising on the upper left arm, several marks the size of a thumbprint. " * 4,
        "opinion": "Risk of significant harm to her and her siblings; referral needed today. " * 2,
        "questions_asked": "I asked: can you tell me more about that? Who else lives at home?",
        "actions_taken": "Consulted my supervisor; phoned social care.",
        "consultation_notes": "Supervisor agreed a same-day referral.",
        "consulted": ["supervisor", "lead"],
        "categories": categories,
        "persons-TOTAL_FORMS": "2",
        "persons-INITIAL_FORMS": "0",
        "persons-MIN_NUM_FORMS": "0",
        "persons-MAX_NUM_FORMS": "20",
        "alleged-TOTAL_FORMS": "1",
        "alleged-INITIAL_FORMS": "0",
        "alleged-MIN_NUM_FORMS": "0",
        "alleged-MAX_NUM_FORMS": "20",
        "prior-TOTAL_FORMS": "1",
        "prior-INITIAL_FORMS": "0",
        "prior-MIN_NUM_FORMS": "0",
        "prior-MAX_NUM_FORMS": "20",
    }
    for i, (kind, name) in enumerate([("child", "Jo Example"), ("child", "")]):
        data.update(
            {
                f"persons-{i}-kind": kind,
                f"persons-{i}-identity": "known" if name else "unknown",
                f"persons-{i}-description": "Girl aged 12" if name else "Younger brother, about 6",
                f"persons-{i}-name": name,
                f"persons-{i}-approximate_age": "12" if name else "about 6",
                f"persons-{i}-address": "",
                f"persons-{i}-school_or_gp": "Northtown Academy",
                f"persons-{i}-relationship_to_alleged": "Stepdaughter",
                f"persons-{i}-whereabouts": "At school today",
                f"persons-{i}-looked_after": "no",
            }
        )
    data.update(
        {
            "alleged-0-identity": "known",
            "alleged-0-name": "Sam Example",
            "alleged-0-approximate_age": "40s",
            "alleged-0-description": "Stepfather",
            "alleged-0-relationship": "Stepfather of the child",
            "alleged-0-whereabouts": "At home",
            "alleged-0-contact_with_children": "yes",
            "alleged-0-position_of_trust": "no",
            "alleged-0-role": "",
            "alleged-0-works_with_adults_at_risk": "unknown",
            "prior-0-recipient": "csc",
            "prior-0-made_by": "client",
            "prior-0-reported_on_text": "about two years ago",
            "prior-0-outcome": "Not known",
            "prior-0-new_since": "The harm has started again and now includes the siblings.",
        }
    )
    return data


def _intake_worker(web, cookie, make_body, path, count, results, errors):
    import requests  # noqa: F401 - the session below

    session = http_session(cookie)
    page = session.get(f"{web}/concerns/new/", timeout=60)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status_code != 200 or not match:
        errors.append(f"GET /concerns/new/ answered {page.status_code} without a CSRF token")
        return
    token = match.group(1)
    for _ in range(count):
        body = {**make_body(), "csrfmiddlewaretoken": token}
        response = session.post(
            f"{web}{path}", data=body, allow_redirects=False, timeout=120, headers={"Referer": f"{web}/concerns/new/"}
        )
        if response.status_code != 302:
            snippet = re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)', response.text)[:5]
            errors.append(f"POST {path} answered {response.status_code}: {snippet or response.text[:300]}")
            return
        results.append(server_ms(response))


def bench_intake(web: str, people, *, posts_per_thread: int, threads: int = 4) -> dict:
    """Concerns per second through gunicorn: the full form vs the minimal insert, same clients."""
    from concerns.models import Concern, ConcernCategory
    from consent.models import Client

    team_id = people.teams[0][0]
    clinicians = people.clinicians_by_team[team_id][:threads]
    cookies = [signed_in_cookie(email) for _, email in clinicians]
    client_id = Client.objects.filter(team_id=team_id).order_by("id").values_list("id", flat=True).first()
    categories = list(
        ConcernCategory.objects.filter(active=True, code__startswith="child-").values_list("code", flat=True)[:2]
    )

    def phase(path, make_body):
        results, errors = [], []
        workers = [
            threading.Thread(
                target=_intake_worker, args=(web, cookie, make_body, path, posts_per_thread, results, errors)
            )
            for cookie in cookies
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        if errors:
            raise RuntimeError(f"Intake benchmark failed: {errors[0]}")
        return len(results) / elapsed, results

    before = Concern.objects.count()
    rates = {"full": [], "minimal": []}
    server = {"full": [], "minimal": []}
    for _ in range(2):  # interleaved rounds: the machine's noise falls on both alike
        for name, path, body in (
            ("full", "/concerns/new/", lambda: full_form(client_id, categories)),
            ("minimal", "/bench/minimal/", lambda: {"summary": "One row."}),
        ):
            rate, times = phase(path, body)
            rates[name].append(rate)
            server[name].extend(times)
    made = Concern.objects.count() - before
    full_rate = statistics.mean(rates["full"])
    minimal_rate = statistics.mean(rates["minimal"])
    return {
        "intake_ratio": round(full_rate / minimal_rate, 3),
        "details": {
            "full_form_per_s": round(full_rate, 2),
            "minimal_insert_per_s": round(minimal_rate, 2),
            "client_threads": threads,
            "posts_per_phase": threads * posts_per_thread,
            "rounds": 2,
            "concerns_created": made,
            "full_form_server_ms": summary(server["full"]),
            "minimal_server_ms": summary(server["minimal"]),
        },
    }


def bench_sweep(*, due: int, repeats: int) -> dict:
    """run_sweep() with ``due`` due deadlines, on the 1k database and on the full one, interleaved."""
    from django.db import connection
    from django.db.models.functions import Now

    from alerts.models import Deadline, ObligationKind
    from alerts.services.deadlines import open_deadline
    from alerts.services.sweep import run_sweep
    from concerns.models import OPEN_STATUSES, Concern

    candidates = {}
    for name in (SMALL_DB, BIG_DB):
        use_database(name)
        run_sweep()  # warm up, and clear whatever is due already
        ids = list(
            Concern.objects.filter(status__in=OPEN_STATUSES)
            .exclude(status="submitted")
            .order_by("-id")
            .values_list("id", flat=True)[: due * (repeats + 1)]
        )
        if len(ids) < due * (repeats + 1):
            raise RuntimeError(f"{name} has only {len(ids)} open concerns for the sweep benchmark")
        candidates[name] = ids
    timings = {SMALL_DB: [], BIG_DB: []}
    alerts = {SMALL_DB: [], BIG_DB: []}
    claim = None

    def make_due(ids):
        now = datetime.now(UTC)
        opened = [
            open_deadline(kind=ObligationKind.SHARING_REVIEW, concern=concern, due_at=now - timedelta(minutes=1)).pk
            for concern in Concern.objects.filter(pk__in=ids)
        ]
        Deadline.objects.filter(pk__in=opened).update(next_fire_at=Now() - timedelta(seconds=1), step=0)

    for r in range(repeats):
        for name in (SMALL_DB, BIG_DB):
            use_database(name)
            make_due(candidates[name][r * due : (r + 1) * due])
            statements = []

            def capture(execute, sql, params, many, context, statements=statements):
                statements.append({"sql": sql, "params": params, "ms": 0.0})
                return execute(sql, params, many, context)

            started = time.perf_counter()
            if name == BIG_DB and claim is None:
                with connection.execute_wrapper(capture):
                    result = run_sweep()
            else:
                result = run_sweep()
            timings[name].append((time.perf_counter() - started) * 1000)
            alerts[name].append(result.alerts)
            if name == BIG_DB and claim is None:
                claim = next(
                    (s for s in statements if "SKIP LOCKED" in s["sql"] and "alerts_deadline" in s["sql"]), None
                )
    use_database(BIG_DB)
    plan = None
    if claim is not None:
        from django.db import transaction

        # The claim as it runs when deadlines are due: a fresh due batch, explained, rolled back.
        with transaction.atomic():
            make_due(candidates[BIG_DB][repeats * due : (repeats + 1) * due])
            plan = explain(claim, "sweep_claim", main_table="alerts_deadline")
            transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM concerns_concern")
        (big_concerns,) = cursor.fetchone()
    small, big = statistics.median(timings[SMALL_DB]), statistics.median(timings[BIG_DB])
    return {
        "sweep_ratio": round(big / small, 3),
        "details": {
            "due_deadlines": due,
            "repeats": repeats,
            "concerns_small": 1000,
            "concerns_big": big_concerns,
            "small_ms": [round(t, 1) for t in timings[SMALL_DB]],
            "big_ms": [round(t, 1) for t in timings[BIG_DB]],
            "small_median_ms": round(small, 1),
            "big_median_ms": round(big, 1),
            "alerts_per_sweep": {"small": alerts[SMALL_DB], "big": alerts[BIG_DB]},
        },
        "plan": plan,
    }


def bench_verify_audit(env: dict) -> dict:
    """``manage.py verify_audit`` as an operator runs it (the runtime role), parsed from its output."""
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    wall = time.monotonic() - started
    output = completed.stdout + completed.stderr
    match = re.search(r"Checked (\d+) events in ([0-9.]+)s", output)
    if completed.returncode != 0 or not match:
        raise RuntimeError(f"verify_audit failed ({completed.returncode}): {output[-800:]}")
    events, seconds = int(match.group(1)), float(match.group(2))
    return {
        "verify_audit_events_per_s": round(events / seconds),
        "details": {
            "events": events,
            "seconds": seconds,
            "wall_seconds_with_startup": round(wall, 1),
            "chain_intact": True,
        },
    }


def bench_alert_latency(env: dict, sink, people, *, deadlines: int = 1000, timeout: float = 240.0) -> dict:
    """Our own measurement when benchmarks/alert_latency.py is absent: due time to SMTP acceptance."""
    from django.db.models.functions import Now  # noqa: F401

    from alerts.models import Channel, Deadline, ObligationKind, OutboxMessage
    from alerts.services.deadlines import open_deadline
    from concerns.models import OPEN_STATUSES, Concern

    ids = list(
        Concern.objects.filter(status__in=OPEN_STATUSES)
        .exclude(status="submitted")
        .order_by("id")
        .values_list("id", flat=True)[:deadlines]
    )
    due_at = datetime.now(UTC) + timedelta(seconds=20)
    opened = [
        open_deadline(kind=ObligationKind.CLIENT_INFORMED_REVIEW, concern=c, due_at=due_at).pk
        for c in Concern.objects.filter(pk__in=ids)
    ]
    Deadline.objects.filter(pk__in=opened).update(next_fire_at=due_at, step=0)
    refs = dict(Deadline.objects.filter(pk__in=opened).values_list("subject_ref", "pk"))
    log(f"alert latency: {len(opened)} deadlines due at {due_at:%H:%M:%S}")
    seen_before = len(sink.received)
    expected = None
    deadline_time = time.monotonic() + timeout
    while time.monotonic() < deadline_time:
        time.sleep(2)
        if expected is None and Deadline.objects.filter(pk__in=opened, step__gte=1).count() == len(opened):
            expected = OutboxMessage.objects.filter(alert__deadline_id__in=opened, channel=Channel.EMAIL).count()
        got = (
            [a for a in sink.received[seen_before:] if any(ref in a.subject for ref in refs)]
            if expected is not None
            else []
        )
        if expected is not None and len(got) >= expected:
            break
    accepted = sink.received[seen_before:]
    first_by_ref: dict[str, float] = {}
    all_latencies = []
    for message in accepted:
        ref = next((r for r in re.findall(r"SG-\d{4}-\d{6}", message.subject) if r in refs), None)
        if ref is None:
            continue
        latency = message.received_at - due_at.timestamp()
        all_latencies.append(latency)
        first_by_ref[ref] = min(first_by_ref.get(ref, latency), latency)
    per_deadline = list(first_by_ref.values())
    missing = len(refs) - len(per_deadline)
    return {
        "alert_latency_p50_s": round(percentile(per_deadline, 0.5), 2) if per_deadline else None,
        "alert_latency_p99_s": round(percentile(per_deadline, 0.99), 2) if per_deadline else None,
        "details": {
            "source": "benchmarks/run.py (fallback)",
            "deadlines": len(refs),
            "deadlines_alerted_by_email": len(per_deadline),
            "deadlines_missing": missing,
            "emails_expected": expected,
            "emails_accepted": len(all_latencies),
            "per_email_s": summary(all_latencies) if all_latencies else None,
            "sweep_interval_s": float(env.get("SWEEP_INTERVAL_SECONDS", 10.0)),
        },
    }


def alert_latency_from_h3(
    redis_port: int, memory, *, args: tuple[str, ...] = (), name: str = "alert_latency"
) -> dict | None:
    """benchmarks/alert_latency.py (the clock engine's own benchmark), when it is there.

    It builds its own throw-away database (as the owner, with the test settings) and its own
    worker; we give it our Redis and read its JSON from var/bench/, leaving the committed
    benchmarks/alert_latency.json to its author. Its worker's peak memory is sampled too.
    """
    script = BENCH_DIR / "alert_latency.py"
    if not script.exists():
        return None
    output = LOG_DIR / f"{name}.json"
    output.unlink(missing_ok=True)
    env = dict(ORIGINAL_ENV)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "safeguarding.settings_test",
            "DATABASE_URL": db_url("postgres", OWNER),
            "BENCH_DATABASE_NAME": f"{BIG_DB}_alerts",
            "TEST_DATABASE_NAME": f"{BIG_DB}_alerts",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/2",
            "CACHE_URL": f"redis://127.0.0.1:{redis_port}/3",
            "CELERY_QUEUE": "bench-alerts",
            "PYTHONPATH": str(ROOT),
        }
    )
    with (LOG_DIR / f"{name}.log").open("wb") as handle:
        proc = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, str(script), "--output", str(output), *args],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        memory.watch("worker", proc.pid)  # its Celery worker is the script's child
        try:
            proc.wait(timeout=1500)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
    if not output.exists():
        log(f"benchmarks/alert_latency.py failed ({proc.returncode}); see var/bench/{name}.log")
        return None
    data = json.loads(output.read_text())
    return {
        "alert_latency_p50_s": data.get("p50_seconds"),
        "alert_latency_p99_s": data.get("p99_seconds"),
        "details": {"source": "benchmarks/alert_latency.py", "exit_code": proc.returncode, **data},
    }


# --- The run --------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        memory = next(line.split(":", 1)[1].strip() for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()
    import psycopg

    with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={OWNER} dbname=postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "postgres": pg,
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in load],
    }


def met(name: str, value) -> bool | None:
    if name not in TARGETS or value is None:
        return None
    op, target = TARGETS[name]
    return value >= target if op == ">=" else value <= target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        default=SCALE_NAME,
        choices=[SCALE_NAME],
        help="Set by BENCH_SCALE (default or large): it also names the databases and the results file.",
    )
    parser.add_argument("--reuse", action="store_true", help="Keep the databases from the last run (no generation).")
    parser.add_argument("--only", default="", help=f"Comma-separated phases to run: {', '.join(PHASES)}.")
    args = parser.parse_args()

    import signal

    from benchmarks import processes
    from tests.support import SmtpSink, free_port

    # A stopped run still stops its servers (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    run_started = time.monotonic()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    redis_port = free_port()
    web_port = free_port()
    smtp_port = free_port()
    owner_env = base_env(redis_port=redis_port, smtp_port=smtp_port, web_port=web_port, database=BIG_DB, role=OWNER)
    app_env = base_env(redis_port=redis_port, smtp_port=smtp_port, web_port=web_port, database=BIG_DB, role=APP_ROLE)
    os.environ.update(owner_env)
    import django

    django.setup()
    from benchmarks import datagen

    scale = datagen.SCALES[args.scale]
    results: dict = {
        "machine": machine(),
        "scale": {
            "name": scale.name,
            "concerns": scale.concerns,
            "open_concerns": scale.open_concerns,
            "audit_events": scale.audit_events,
        },
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "figures": {},
        "details": {},
        "plans": {},
        "phases_s": {},
    }
    figures, details, plans, phases = results["figures"], results["details"], results["plans"], results["phases_s"]

    def phase(name):
        phases[name] = round(time.monotonic() - phase.started, 1)
        phase.started = time.monotonic()
        log(f"{name} done ({phases[name]}s)")

    phase.started = time.monotonic()
    managed = []
    memory = processes.PeakMemory()
    sink = None
    try:
        managed.append(processes.start_redis(redis_port, LOG_DIR))
        if not args.reuse:
            log(f"databases {BIG_DB} and {SMALL_DB}: drop, create, migrate")
            use_database("postgres")
            recreate_database(BIG_DB)
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=owner_env, check=True
            )
            use_database(BIG_DB)
            people = datagen.seed_people(log=log)
            create_minimal_table()
            use_database("postgres")
            recreate_database(SMALL_DB, template=BIG_DB)
            phase("create_and_migrate")
            use_database(SMALL_DB)
            small = datagen.generate(people, datagen.SCALES["small"], tune_load=False, log=log)
            vacuum_analyze()
            use_database(BIG_DB)
            big = datagen.generate(people, scale, log=log)
            details["generated"] = {"big": big, "small": small}
            vacuum_analyze()
            checkpoint()
            phase("generate")
        else:
            use_database(BIG_DB)
        people = datagen.load_people()

        wanted = set(args.only.split(",")) if args.only else set(PHASES)

        def guarded(name, work):
            if name not in wanted:
                return
            use_database(BIG_DB)
            try:
                work()
            except Exception as exc:  # noqa: BLE001 - one broken figure must not lose the others
                import traceback

                traceback.print_exc()
                results.setdefault("errors", {})[name] = f"{type(exc).__name__}: {exc}"
            phase(name)

        def sweep_phase():
            log("sweep: 100 due deadlines among 1k vs all concerns")
            sweep = bench_sweep(due=100, repeats=int(os.environ.get("BENCH_SWEEP_REPEATS", "3")))
            plans["sweep_claim"] = sweep.pop("plan")
            figures["sweep_ratio"] = sweep["sweep_ratio"]
            details["sweep"] = sweep["details"]

        def verify_phase():
            verify = bench_verify_audit(app_env)
            figures["verify_audit_events_per_s"] = verify["verify_audit_events_per_s"]
            details["verify_audit"] = verify["details"]

        guarded("sweep", sweep_phase)
        guarded("verify_audit", verify_phase)

        sink = SmtpSink(smtp_port).start()
        web = processes.start_gunicorn(web_port, app_env, LOG_DIR)
        managed.append(web)
        memory.watch("web", web.pid)
        base = f"http://127.0.0.1:{web_port}"

        def request_floor_phase():
            floor = bench_request_floor(base, people, count=200)
            details["request_floor"] = floor.pop("details")
            figures.update(floor)

        def queue_phase():
            # 100, as for the variants: with 40, the p95 was the second slowest request.
            queue = bench_queue(base, people, count=100)
            plans["queue"] = queue.pop("plan")
            details["queue"] = queue.pop("details")
            figures.update(queue)

        def audit_phase():
            audit_pages = bench_audit_pages(base, people, count=30)
            plans.update(audit_pages.pop("plans"))
            details["audit_pages"] = audit_pages.pop("details")
            figures.update(audit_pages)
            plans["my_concerns"] = bench_my_concerns_plan(people)

        def intake_phase():
            intake = bench_intake(base, people, posts_per_thread=int(os.environ.get("BENCH_INTAKE_POSTS", "15")))
            details["intake"] = intake.pop("details")
            figures.update(intake)

        def alert_phase():
            latency = alert_latency_from_h3(redis_port, memory)
            if latency is None:
                worker = processes.start_celery_worker(app_env, LOG_DIR)
                managed.append(worker)
                memory.watch("worker", worker.pid)
                beat = processes.start_celery_beat(app_env, LOG_DIR)
                managed.append(beat)
                latency = bench_alert_latency(app_env, sink, people)
            details["alert_latency"] = latency.pop("details")
            figures.update(latency)

        def queue_variants_phase():
            # 100 rounds: with 20 or 40 requests a variant, its p95 was its second slowest request,
            # and one pause of the shared machine decided its figure.
            found = queue_variants.bench_queue_variants(base, people, count=100, harness=sys.modules[__name__])
            plans.update(found.pop("plans"))
            details["queue_variants"] = found.pop("details")
            figures.update(found)

        def alert_10k_phase():
            # Scale-out shown, not claimed: 10,000 due at once, two workers and two beats, each
            # its own process group (as on two machines); exactly once is counted, not assumed.
            latency = alert_latency_from_h3(
                redis_port,
                memory,
                args=("--deadlines", "10000", "--workers", "2", "--beats", "2"),
                name="alert_latency_10k",
            )
            if latency is None:
                raise RuntimeError("benchmarks/alert_latency.py is needed for the 10k figure")
            details["alert_latency_10k"] = latency.pop("details")
            figures["alert_latency_10k_p50_s"] = latency["alert_latency_p50_s"]
            figures["alert_latency_10k_p99_s"] = latency["alert_latency_p99_s"]

        guarded("request_floor", request_floor_phase)
        guarded("queue", queue_phase)
        guarded("queue_variants", queue_variants_phase)
        guarded("audit_pages", audit_phase)
        guarded("intake", intake_phase)
        guarded("alert_latency", alert_phase)
        guarded("alert_latency_10k", alert_10k_phase)

        peaks = memory.stop()
        served = wanted & {"queue", "audit_pages", "intake"}  # an idle web server's peak means nothing
        for name, key in (("web", "web_peak_rss_mb"), ("worker", "worker_peak_rss_mb")):
            if name in peaks and (name != "web" or served):
                figures[key] = peaks[name]
    finally:
        memory.stop()
        for process in reversed(managed):
            process.stop()
        if sink is not None:
            sink.stop()
        from django.db import connections

        connections.close_all()

    if not args.only:
        import resource

        results["wall_seconds"] = round(time.monotonic() - run_started, 1)
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        # Wall time on a shared machine says little alone: the runner's own CPU time and the load beside it.
        results["runner_cpu_seconds"] = round(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 1)
        results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = {
        name: {"target": f"{op} {value}", "met": met(name, figures.get(name))} for name, (op, value) in TARGETS.items()
    }
    results["plans_use_indexes"] = {name: plan["uses_index"] if plan else None for name, plan in plans.items()}
    if args.only and RESULTS.exists():
        # A rerun of some phases on the same databases: merge into the last full run's results.
        merged = json.loads(RESULTS.read_text())
        for key in ("figures", "details", "plans", "phases_s"):
            merged.setdefault(key, {}).update(results[key])
        merged.setdefault("reruns", []).append(
            {"date": results["date"], "phases": args.only, "errors": results.get("errors", {})}
        )
        for name in args.only.split(","):
            merged.get("errors", {}).pop(name, None)
        merged["targets"] = {
            name: {"target": f"{op} {value}", "met": met(name, merged["figures"].get(name))}
            for name, (op, value) in TARGETS.items()
        }
        merged["plans_use_indexes"] = {n: p["uses_index"] if p else None for n, p in merged["plans"].items()}
        results = merged
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    log(f"results written to {RESULTS.relative_to(ROOT)} ({results['wall_seconds']}s in all)")
    from benchmarks import report

    report.write(results)
    log("docs/benchmarks.md and docs/benchmarks.svg updated")
    return 1 if results.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
