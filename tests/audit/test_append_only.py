"""The append-only registry (audit.append_only), proved table by table against PostgreSQL.

For every table the models declare append-only, one parametrised test shows that the runtime
role (a real connection as ``safeguarding_app``) is stopped by its privileges, and that the
guard trigger stops the owner too. Then the rules with exceptions, with committed rows so the
runtime role can see them: a concern's workflow columns, a break-glass review (once), and a
confidentiality statement (a draft until published).
"""

import psycopg
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import ProgrammingError, connection, transaction

from audit.append_only import AppendOnly, protected_tables
from audit.db import ROW_GUARD_TRIGGER, TRUNCATE_GUARD_TRIGGER, install_append_only_guards
from audit.services import record_break_glass
from audit.verification import verify_and_record_head
from concerns.services import add_addendum
from consent import services as consent_services
from escalation import services as workflow
from escalation.staff_services import declare_conflict_of_interest, link_alleged_person_to_staff
from tests.factories.concerns import TRIGGER_CASE, submit_test_concern
from tests.factories.consent import ClientFactory, explain_limits, published_statement
from tests.factories.packs import build_pack, finalise_pack
from tests.factories.workflow import acknowledged

PROTECTED = protected_tables()
PERMISSION_DENIED = "permission denied for table"


def runtime_role_connection():
    """The role the web and worker processes use, on the test database.

    It cannot see the test's uncommitted rows, so in the non-transactional tests only its
    privileges can answer; the lock timeout turns an unexpected wait into a failure.
    """
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=settings.DATABASE_APP_ROLE,
        autocommit=True,
        options="-c lock_timeout=5s",
    )


def owner_execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_the_registry_holds_every_append_only_table():
    """Dropping a declaration would silently drop a table from the parametrised test below."""
    assert {entry.table: entry.declared_by for entry in PROTECTED} == {
        "alerts_deadline": "alerts.Deadline",
        "audit_auditchainhead": "audit.AuditChainHead",
        "audit_auditevent": "audit.AuditEvent",
        "audit_breakglassaccess": "audit.BreakGlassAccess",
        "audit_rowchange": "audit.RowChange",
        "concerns_addendum": "concerns.Addendum",
        "concerns_adultatriskdetails": "concerns.AdultAtRiskDetails",
        "concerns_allegedperson": "concerns.AllegedPerson",
        "concerns_concern": "concerns.Concern",
        "concerns_concern_categories": "concerns.Concern.categories",
        "concerns_conflictofinterest": "concerns.ConflictOfInterest",
        "concerns_otherperson": "concerns.OtherPerson",
        "concerns_personatrisk": "concerns.PersonAtRisk",
        "concerns_priorreport": "concerns.PriorReport",
        "concerns_stafflink": "concerns.StaffLink",
        "consent_clientinformedrecord": "consent.ClientInformedRecord",
        "consent_confidentialitystatement": "consent.ConfidentialityStatement",
        "consent_limitsrecord": "consent.LimitsRecord",
        "consent_protectedidentity": "consent.ProtectedIdentity",
        "consent_sharingdecision": "consent.SharingDecision",
        "escalation_assignmentrecord": "escalation.AssignmentRecord",
        "escalation_closurerecord": "escalation.ClosureRecord",
        "escalation_externalreferral": "escalation.ExternalReferral",
        "escalation_finalreferralpack": "escalation.FinalReferralPack",
        "escalation_ladotask": "escalation.LadoTask",
        "escalation_referralpack": "escalation.ReferralPack",
        "escalation_referralpackrevision": "escalation.ReferralPackRevision",
        "escalation_triagerecord": "escalation.TriageRecord",
    }
    rules = {entry.table: entry for entry in PROTECTED}
    assert set(rules["concerns_concern"].updatable_columns) == {
        "status",
        "owner_id",
        "acknowledged_at",
        "acknowledged_by_id",
        "closed_at",
        "next_due_at",
        "next_due_kind",
        "risk_rating",
    }
    assert set(rules["alerts_deadline"].updatable_columns) == {"due_at", "step", "next_fire_at", "state", "closed_at"}
    assert rules["audit_breakglassaccess"].updatable_columns == ("reviewed_by_id", "reviewed_at", "review_comment")
    assert rules["audit_breakglassaccess"].until_column == "reviewed_at"
    assert rules["consent_confidentialitystatement"].draft_until_column == "published_at"
    assert [entry.table for entry in PROTECTED if not entry.runtime_may_insert] == ["audit_rowchange"]


@pytest.fixture
def every_record(cast):
    """At least one row in every protected table, made through the services."""
    statement = published_statement(version=1)
    client = ClientFactory(team=cast.team, created_by=cast.clinician)
    explain_limits(client=client, statement=statement, actor=cast.clinician)
    concern = submit_test_concern(
        reporter=cast.clinician, client=client, other_people=[dict(role="co_carer", relationship="His partner")]
    )
    submit_test_concern(reporter=cast.clinician, adult_at_risk={"knows_of_concern": "yes"})
    # A foster carer is in a position of trust: the submission opens a LADO task.
    submit_test_concern(reporter=cast.clinician, alleged_position_of_trust="yes", alleged_role="foster_carer")
    add_addendum(actor=cast.clinician, concern=concern, text="Later information.")
    decision = consent_services.record_sharing_decision(
        actor=cast.clinician,
        concern=concern,
        decision="share",
        consent="sought_given",
        recipients="Children's social care front door",
        information_shared="The concern summary.",
        protected_identities=[{"name": "Jane Doe", "replacement": "the discloser"}],
    )
    consent_services.record_client_informed(actor=cast.clinician, concern=concern, status="after")
    acknowledged(concern, by=cast.lead)
    workflow.record_triage(
        actor=cast.lead, concern_id=concern.pk, expected_status="acknowledged", risk_rating="low", rating_rationale="x"
    )
    finalise_pack(build_pack(concern, actor=cast.lead, decision=decision), actor=cast.lead)
    workflow.assign_concern(actor=cast.lead, concern_id=concern.pk, new_owner_id=cast.deputy.pk)
    workflow.close_concern(
        actor=cast.deputy, concern_id=concern.pk, expected_status="referred", outcome="no_further_action", rationale="x"
    )
    record_break_glass(actor=cast.lead_other_team, concern_reference=concern.reference, team=cast.team, reason="x")
    link_alleged_person_to_staff(
        actor=cast.lead,
        concern_id=concern.pk,
        alleged_person_id=concern.alleged_persons.get().pk,
        staff_member_id=cast.other_clinician.pk,
        reason="x",
    )
    declare_conflict_of_interest(actor=cast.lead, concern_id=concern.pk, reason="x")
    verify_and_record_head()
    return concern


@pytest.mark.parametrize("entry", PROTECTED, ids=lambda entry: entry.table)
def test_an_append_only_table_refuses_change_to_the_runtime_role_and_the_owner(entry, every_record):
    table = entry.table
    final = f"{entry.draft_until_column} IS NOT NULL" if entry.draft_until_column else "true"
    with connection.cursor() as cursor:
        # Every Django model here has an "id" primary key, the M2M link tables included.
        cursor.execute(f"SELECT min(id) FROM {table} WHERE {final}")
        row_id = cursor.fetchone()[0]
    assert row_id is not None, f"every_record made no final row in {table}"

    # The runtime role: its privileges refuse before any trigger could (it cannot see the row).
    with runtime_role_connection() as app:
        # The guard's TRUNCATE switch is a setting any role can SET; it gives the runtime role nothing.
        app.execute("SET safeguarding.audit_maintenance = 'on'")
        refused = [f"TRUNCATE {table}"]
        if entry.mode != "draft":  # a draft is edited and deleted; once final, the guard answers
            refused += [f"UPDATE {table} SET id = id", f"DELETE FROM {table}"]
        if not entry.runtime_may_insert:
            refused.append(f"INSERT INTO {table} DEFAULT VALUES")
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=PERMISSION_DENIED):
                app.execute(statement)
        for column in entry.updatable_columns:
            app.execute(f"UPDATE {table} SET {column} = {column}")  # granted: no error (no row it can see)
        may_update = entry.mode == "draft"
        assert app.execute(
            "SELECT has_table_privilege(current_user, %s, 'UPDATE'), has_table_privilege(current_user, %s, 'DELETE'),"
            " has_table_privilege(current_user, %s, 'TRUNCATE'), has_table_privilege(current_user, %s, 'INSERT')",
            [table] * 4,
        ).fetchone() == (may_update, entry.runtime_may_delete, False, entry.runtime_may_insert)

    # The owner: the guard refuses UPDATE and DELETE of the row, and TRUNCATE outside maintenance.
    for statement in (f"UPDATE {table} SET id = -id WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(ProgrammingError, match=f"the table {table} is append-only"), transaction.atomic():
            owner_execute(statement, [row_id])
    owner_execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred foreign-key check
    with pytest.raises(ProgrammingError, match=f"the table {table} is append-only: TRUNCATE"), transaction.atomic():
        owner_execute("SET LOCAL safeguarding.audit_maintenance = 'off'")
        owner_execute(f"TRUNCATE {table} CASCADE")
    # In maintenance (the test suite's flush between transactional tests) the owner may.
    with transaction.atomic():
        owner_execute(f"TRUNCATE {table} CASCADE")
        assert owner_execute(f"SELECT 1 FROM {table}") == 0
        transaction.set_rollback(True)
    owner_execute("SET CONSTRAINTS ALL DEFERRED")
    assert owner_execute(f"SELECT 1 FROM {table} WHERE id = %s", [row_id]) == 1


@pytest.mark.django_db(transaction=True)
def test_only_a_concerns_workflow_columns_change(cast):
    concern = submit_test_concern(reporter=cast.clinician)
    with runtime_role_connection() as app:
        # What escalation does: lock the concern row, move its status, name its owner.
        app.execute("SELECT id FROM concerns_concern WHERE id = %s FOR UPDATE", [concern.pk])
        moved = app.execute(
            "UPDATE concerns_concern SET status = 'acknowledged', owner_id = %s, acknowledged_by_id = %s, "
            "acknowledged_at = now() WHERE id = %s",
            [cast.lead.pk, cast.lead.pk, concern.pk],
        )
        assert moved.rowcount == 1
        for statement in (
            "UPDATE concerns_concern SET own_words = 'changed' WHERE id = %s",
            "UPDATE concerns_concern SET reference = 'SG-0000-000000' WHERE id = %s",
            "UPDATE concerns_concern SET category_codes = '{unclear}' WHERE id = %s",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=PERMISSION_DENIED):
                app.execute(statement, [concern.pk])

    # The owner is refused content changes by the guard, which names what it refused.
    for statement, refused in (
        ("UPDATE concerns_concern SET own_words = 'changed' WHERE id = %s", "own_words"),
        ("UPDATE concerns_concern SET summary = 'x', status = 'closed' WHERE id = %s", "summary"),
    ):
        with pytest.raises(ProgrammingError, match=f"UPDATE of {refused} refused"), transaction.atomic():
            owner_execute(statement, [concern.pk])
    concern.refresh_from_db()
    assert concern.status == "acknowledged" and concern.owner == cast.lead
    concern.status = "closed"
    concern.save()  # a full save with unchanged content is allowed
    concern.refresh_from_db()
    assert concern.status == "closed" and concern.summary == TRIGGER_CASE["summary"]


@pytest.mark.django_db(transaction=True)
def test_a_break_glass_access_is_reviewed_once_and_nothing_else_changes(cast):
    access = record_break_glass(
        actor=cast.lead_other_team, concern_reference="SG-2026-000003", team=cast.team, reason="x"
    )
    with pytest.raises(ProgrammingError, match="UPDATE of reason refused"), transaction.atomic():
        owner_execute("UPDATE audit_breakglassaccess SET reason = 'changed' WHERE id = %s", [access.pk])
    with runtime_role_connection() as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=PERMISSION_DENIED):
            app.execute("UPDATE audit_breakglassaccess SET reason = 'changed' WHERE id = %s", [access.pk])
        review = "UPDATE audit_breakglassaccess SET reviewed_by_id = %s, reviewed_at = now(), review_comment = %s "
        assert app.execute(review + "WHERE id = %s", [cast.manager.pk, "Checked", access.pk]).rowcount == 1
        with pytest.raises(
            psycopg.errors.InsufficientPrivilege,
            match=r"UPDATE of review_comment, reviewed_at refused \(reviewed_at is set",
        ):
            app.execute(review + "WHERE id = %s", [cast.manager.pk, "Rewritten", access.pk])
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=PERMISSION_DENIED):
            app.execute("DELETE FROM audit_breakglassaccess WHERE id = %s", [access.pk])
    access.refresh_from_db()
    assert access.review_comment == "Checked" and access.reason == "x"


@pytest.mark.django_db(transaction=True)
def test_a_deadlines_clock_moves_but_what_it_is_about_never_changes_and_it_is_never_deleted(cast):
    from alerts.models import Deadline

    concern = submit_test_concern(reporter=cast.clinician)
    deadline = Deadline.objects.get(concern=concern, kind="acknowledge_concern")
    with runtime_role_connection() as app:
        assert app.execute("UPDATE alerts_deadline SET step = 1 WHERE id = %s", [deadline.pk]).rowcount == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=PERMISSION_DENIED):
            app.execute("UPDATE alerts_deadline SET kind = 'close_concern' WHERE id = %s", [deadline.pk])
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=PERMISSION_DENIED):
            app.execute("DELETE FROM alerts_deadline WHERE id = %s", [deadline.pk])
    with pytest.raises(ProgrammingError, match="UPDATE of kind refused"), transaction.atomic():
        owner_execute("UPDATE alerts_deadline SET kind = 'close_concern' WHERE id = %s", [deadline.pk])
    deadline.refresh_from_db()
    assert (deadline.kind, deadline.step) == ("acknowledge_concern", 1)


@pytest.mark.django_db(transaction=True)
def test_a_confidentiality_statement_is_a_draft_until_published_then_frozen(cast):
    published = published_statement(version=1)
    draft = consent_services.create_statement_draft(actor=cast.administrator, title="Draft", text="Draft text")
    discarded = consent_services.create_statement_draft(actor=cast.administrator, title="Spare", text="Spare")
    table = "consent_confidentialitystatement"
    with runtime_role_connection() as app:
        assert app.execute(f"UPDATE {table} SET text = 'Better' WHERE id = %s", [draft.pk]).rowcount == 1
        assert app.execute(f"DELETE FROM {table} WHERE id = %s", [discarded.pk]).rowcount == 1
        for statement, refused in (
            (f"UPDATE {table} SET text = 'rewritten' WHERE id = %s", "UPDATE of text refused"),
            (f"DELETE FROM {table} WHERE id = %s", "DELETE refused"),
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=rf"{refused} \(published_at is set"):
                app.execute(statement, [published.pk])
        publish = f"UPDATE {table} SET published_at = now(), published_by_id = %s, effective_from = now() WHERE id = %s"
        assert app.execute(publish, [cast.administrator.pk, draft.pk]).rowcount == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="UPDATE of text refused"):
            app.execute(f"UPDATE {table} SET text = 'after' WHERE id = %s", [draft.pk])
    published.refresh_from_db()
    draft.refresh_from_db()
    assert "rewritten" not in published.text and draft.text == "Better" and draft.is_published


def test_the_guards_follow_the_registry_after_every_migrate(db):
    """Run after each migrate: a guard taken off comes back; one on an unlisted table goes."""
    owner_execute(f"DROP TRIGGER {ROW_GUARD_TRIGGER} ON escalation_triagerecord")
    owner_execute(
        f"CREATE TRIGGER {TRUNCATE_GUARD_TRIGGER} BEFORE TRUNCATE ON concerns_concerndraft "
        "FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard()"
    )
    install_append_only_guards()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname IN (%s, %s)",
            [ROW_GUARD_TRIGGER, TRUNCATE_GUARD_TRIGGER],
        )
        guarded = set(cursor.fetchall())
    assert guarded == {(e.table, name) for e in PROTECTED for name in (ROW_GUARD_TRIGGER, TRUNCATE_GUARD_TRIGGER)}


def test_a_rule_that_makes_no_sense_is_refused():
    with pytest.raises(ImproperlyConfigured, match="until"):
        AppendOnly(until="reviewed_at")
    with pytest.raises(ImproperlyConfigured, match="draft_until"):
        AppendOnly(draft_until="published_at", updatable=("text",))


def test_a_misnamed_until_column_fails_closed(cast):
    """The guard reads a column it cannot find as set: the row is final, never a free draft."""
    owner_execute(
        "CREATE TRIGGER misnamed BEFORE UPDATE OR DELETE ON accounts_team "
        "FOR EACH ROW EXECUTE FUNCTION append_only_guard('draft', 'no_such_column')"
    )
    for statement in ("UPDATE accounts_team SET name = 'x' WHERE id = %s", "DELETE FROM accounts_team WHERE id = %s"):
        with pytest.raises(ProgrammingError, match="accounts_team is append-only"), transaction.atomic():
            owner_execute(statement, [cast.team.pk])
