"""The audit vocabulary (audit.actions): every code written is registered, labelled and readable."""

import ast
import datetime as dt
import os
import string
from pathlib import Path

import pytest

from audit import actions
from audit.actions import SPECS, AuditAction, AuditKind, action_label, codes_of_kind, readable_details
from audit.chain import CHAIN_FIELDS, canonical_content, event_hash
from audit.models import AuditEvent
from audit.selectors import ACCESS_ACTIONS
from audit.services import record_event

REPOSITORY = Path(__file__).resolve().parents[2]
# Everything but the tests (which query by code on purpose), installed packages and migrations.
NOT_SOURCE = {".git", ".venv", "node_modules", "tests", "migrations", "staticfiles", "var", "__pycache__"}
WRITERS = {"record_event"}


def _source_files():
    for folder, subfolders, files in os.walk(REPOSITORY):
        subfolders[:] = [name for name in subfolders if name not in NOT_SOURCE and not name.startswith(".")]
        for name in files:
            if name.endswith(".py"):
                path = Path(folder, name)
                yield path.relative_to(REPOSITORY).as_posix(), ast.parse(path.read_text(), filename=str(path))


SOURCE = list(_source_files())
CODES = {action.value for action in AuditAction}
CODE_PREFIXES = {code.split(".")[0] + "." for code in CODES}


def _called_name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")


def test_the_scan_sees_the_writers():
    """Guards the scans below: they read the real tree, where the writers are."""
    paths = {path for path, _ in SOURCE}
    assert {"audit/services.py", "escalation/services.py", "alerts/services/delivery.py"} <= paths
    calls = [
        node
        for _, tree in SOURCE
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called_name(node) in WRITERS
    ]
    assert len(calls) > 40


def test_no_writer_spells_out_or_builds_an_action_code():
    """Every action= argument is a registry constant (or a variable holding one), never text."""
    offenders = []
    for path, tree in SOURCE:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg != "action" or _called_name(node) not in WRITERS:
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant | ast.JoinedStr | ast.BinOp) or (
                    isinstance(value, ast.Call) and _called_name(value) in {"format", "join", "replace"}
                ):
                    offenders.append(f"{path}:{node.lineno} {ast.unparse(value)}")
    assert offenders == []


def test_no_action_code_is_written_as_text_outside_the_registry():
    """Catches a code kept in a tuple, a mapping or an f-string ("alert.{outcome}") before a call."""
    offenders = []
    for path, tree in SOURCE:
        if path == "audit/actions.py":
            continue
        dispatch_uids = {
            id(keyword.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            for keyword in node.keywords
            if keyword.arg == "dispatch_uid"
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in CODES:
                offenders.append(f"{path}:{node.lineno} {node.value!r}")
            elif isinstance(node, ast.JoinedStr) and id(node) not in dispatch_uids:
                start = node.values[0] if node.values else None
                if isinstance(start, ast.Constant) and str(start.value).startswith(tuple(CODE_PREFIXES)):
                    offenders.append(f"{path}:{node.lineno} {ast.unparse(node)}")
    assert offenders == []


def test_every_registry_constant_named_in_the_source_exists():
    """AuditAction.TYPO inside a function would only fail when that function runs."""
    names = {action.name for action in AuditAction}
    unknown = [
        f"{path}:{node.lineno} AuditAction.{node.attr}"
        for path, tree in SOURCE
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "AuditAction"
        and node.attr not in names
        and not node.attr.startswith("_")
        and node.attr not in {"value", "name"}
    ]
    assert unknown == []


def test_every_action_has_a_label_a_kind_and_a_dotted_code():
    assert set(SPECS) == set(AuditAction)
    for action, spec in SPECS.items():
        assert str(spec.label).strip(), action
        assert spec.kind in AuditKind.values, action
        assert "." in action.value and action.value == action.value.lower(), action
        assert len(action.value) <= AuditEvent._meta.get_field("action").max_length
    labels = [str(spec.label) for spec in SPECS.values()]
    assert len(labels) == len(set(labels)), "two actions read the same in the trail"


def test_every_kind_has_actions():
    for kind in AuditKind:
        assert codes_of_kind(kind), kind


def test_record_event_refuses_an_unknown_code_and_writes_nothing(db):
    before = AuditEvent.objects.count()
    for code in ("concern.printed", "sharing_decision.recorded", "deadline.closed", "", "Concern.Viewed"):
        with pytest.raises(ValueError, match="Unknown audit action"):
            record_event(action=code)
    assert AuditEvent.objects.count() == before


def test_record_event_stores_the_plain_code(db):
    event = record_event(action=AuditAction.AUTH_LOGIN)
    event.refresh_from_db()
    assert event.action == "auth.login" and type(event.action) is str


def test_the_access_log_reads_the_access_kind():
    assert set(ACCESS_ACTIONS) == set(codes_of_kind(AuditKind.ACCESS))
    assert {"concern.viewed", "concern.break_glass"} <= set(ACCESS_ACTIONS)
    assert set(ACCESS_ACTIONS) <= CODES


# --- Reading details ------------------------------------------------------------------------


def _phrase_keys(spec) -> set[str]:
    return {name for phrase in spec.phrases for _, name, _, _ in string.Formatter().parse(str(phrase)) if name}


def _sample_value(spec, key):
    vocabulary = actions._vocabulary_for(spec, key)
    if vocabulary:
        return next(iter(vocabulary))
    if key in actions.TIME_KEYS:
        return "2026-03-03T14:00:00Z"
    if key in actions.DATE_KEYS:
        return "2026-03-10"
    if key in actions.DURATION_KEYS:
        return 5400
    return f"sample {key}"


AWKWARD_EXTRAS = {
    "nested": {"inner": {"deeper": [1, {"flag": True, "nothing": None}]}, "empty": {}},
    "several": ["one", 2, None, False],
    "nothing": None,
    "yes": True,
    "quote": "it's {not} a format",
}


@pytest.mark.parametrize("action", list(AuditAction), ids=lambda action: action.value)
def test_every_action_reads_as_text_never_as_a_dict(action):
    spec = SPECS[action]
    details = {key: _sample_value(spec, key) for key in _phrase_keys(spec)} | AWKWARD_EXTRAS
    readable = readable_details(action, details)
    text = str(readable)
    for python_form in ("{'", '{"', "['", "None", "True", "False", "{}", "[]"):
        assert python_form not in text.replace("it's {not} a format", ""), (action, text)
    assert "it's {not} a format" in text  # a value is never treated as a template
    if spec.phrases:
        assert readable.sentence, (action, text)
    assert "nested: inner: deeper: 1, flag: yes" in text
    assert "several: one, 2, no" in text


def test_deadlines_name_their_obligation_and_due_time():
    readable = readable_details(
        "deadline.opened",
        {"kind": "acknowledge_concern", "due_at": "2026-03-03T14:00:00+00:00", "urgency": "same_day"},
    )
    assert action_label("deadline.opened") == "Deadline started"
    assert readable.sentence == "Acknowledge a concern, due 3 Mar 2026 14:00, urgency Same day"
    met = readable_details("deadline.met", {"kind": "referral_response", "due_at": "2026-07-01T09:00:00Z"})
    # Summer time: the stored UTC instant reads in local time.
    assert met.sentence == "External referral: response due, was due 1 Jul 2026 10:00"


def test_codes_in_details_read_by_their_labels():
    assert readable_details("concern.risk_changed", {"previous_rating": "low", "risk_rating": "severe"}).sentence == (
        "from Low to Severe (immediate risk of significant harm)"
    )
    decided = readable_details("concern.decided", {"decision": "refer", "decision_label": "Refer externally"})
    assert (decided.sentence, decided.others) == ("Refer externally", ())
    shared = readable_details("sharing.decision_recorded", {"decision": "not_share", "consent": "sought_refused"})
    assert shared.sentence == "Do not share, Consent sought and refused"
    unknown_code = readable_details("concern.triaged", {"risk_rating": "catastrophic"})
    assert unknown_code.sentence == "risk rating catastrophic"


@pytest.mark.parametrize(
    ("action", "old", "new"),
    [
        ("concern.viewed", {"view": "page"}, {"page": "page"}),
        ("concern.decided", {"decision": "advice_monitoring", "review_date": "2026-05-01"}, None),
        ("mfa.used", {"authenticator_type": "totp", "reauthenticated": True}, None),
        ("client_informed.recorded", {"status": "not_told", "reason": "unsafe"}, None),
    ],
)
def test_old_rows_keep_their_keys_and_read_like_new_ones(action, old, new):
    spec = SPECS[AuditAction(action)]
    new = new or {spec.renamed_keys.get(key, key): value for key, value in old.items()}
    assert new != old
    assert str(readable_details(action, old)) == str(readable_details(action, new))
    assert readable_details(action, old).others == ()


def test_renamed_keys_read_in_sentences():
    assert str(readable_details("concern.viewed", {"view": "print"})) == "on the printable page"
    decided = readable_details("concern.decided", {"decision": "advice_monitoring", "review_date": "2026-05-01"})
    assert decided.sentence == "Advice and monitoring, review on 1 May 2026"
    told = readable_details("client_informed.recorded", {"status": "not_told", "reason": "unsafe"})
    assert told.sentence == "Not told, why not: Telling the client would be unsafe"
    used = readable_details("mfa.used", {"authenticator_type": "totp", "reauthenticated": True, "passwordless": False})
    assert str(used) == "authenticator app, re-authentication: yes; passwordless: no"


def test_a_code_no_longer_registered_still_reads():
    assert action_label("concern.printed") == "Concern: printed"
    assert action_label("sharing_decision.recorded") == "Sharing decision: recorded"
    assert actions.action_kind("alert.sent") is None
    assert str(readable_details("alert.sent", {"kind": "lado_task", "level": 2})) == (
        "kind: Tell the LADO or designated officer; level: 2"
    )
    for odd in (None, {}, [], "text", ["a", {"b": 1}], {"": None}):
        str(readable_details("no.such_code", odd))
        str(readable_details("concern.viewed", odd))


# --- One tuple of chain fields ----------------------------------------------------------------


def test_the_chain_covers_every_column_but_the_hash():
    columns = {f.attname for f in AuditEvent._meta.concrete_fields}
    assert set(CHAIN_FIELDS) == columns - {"hash"}
    assert len(CHAIN_FIELDS) == len(set(CHAIN_FIELDS))


def _content(**changes):
    content = {
        "id": 42,
        "occurred_at": dt.datetime(2026, 3, 3, 14, 5, 6, 789000, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        "actor_id": 7,
        "actor_email": "lead@example.org",
        "actor_role": "safeguarding_lead",
        "ip_address": "10.0.0.1",
        "user_agent": "Mozilla/5.0",
        "action": "concern.acknowledged",
        "subject_type": "concerns.concern",
        "subject_id": "5",
        "subject_ref": "SG-2026-000005",
        "details": {"owner_id": 7, "note": "café – “quoted”", "nested": {"b": [1, 2], "a": None}},
        "request_id": "req-1",
        "prev_hash": "0" * 64,
    }
    return content | changes


def test_the_canonical_form_never_changes():
    """The digest of fixed content, computed before CHAIN_FIELDS existed: stored hashes depend on it."""
    assert event_hash(_content()) == "f211557717858c63e997c2196a9064d87a3a4f281481420b5b9fa42ffffd8124"


def test_hashed_content_must_hold_exactly_the_chain_fields():
    with pytest.raises(ValueError, match="prev_hash"):
        canonical_content({k: v for k, v in _content().items() if k != "prev_hash"})
    with pytest.raises(ValueError, match="hash"):
        canonical_content(_content(hash="x"))
