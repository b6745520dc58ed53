"""The clock engine's models moved here from ``escalation`` with their tables untouched.

State only: the tables already exist (created by escalation 0003). The next migration gives
them this app's names.
"""

import django.db.models.deletion
import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("escalation", "0006_concern_next_due_at_trigger"),
        ("concerns", "0004_concern_next_due_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Deadline",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("acknowledge_concern", "Acknowledge a concern"),
                                    ("referral_response", "External referral: response due"),
                                    ("written_confirmation", "Confirm a phoned referral in writing"),
                                    ("lado_task", "Tell the LADO or designated officer"),
                                    ("client_informed_review", "Review whether to tell the client"),
                                    ("sharing_review", "Review an information-sharing decision"),
                                    ("limits_revisit", "Revisit the limits of confidentiality"),
                                ],
                                max_length=40,
                            ),
                        ),
                        ("subject_type", models.CharField(max_length=100)),
                        ("subject_id", models.CharField(max_length=64)),
                        (
                            "subject_ref",
                            models.CharField(
                                blank=True, help_text="A reference safe to put in a message.", max_length=40
                            ),
                        ),
                        ("urgency", models.CharField(blank=True, max_length=20)),
                        ("jurisdiction", models.CharField(blank=True, max_length=20)),
                        ("opened_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
                        ("due_at", models.DateTimeField()),
                        ("step", models.PositiveSmallIntegerField(default=0)),
                        ("next_fire_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "state",
                            models.CharField(
                                choices=[("open", "Open"), ("met", "Met"), ("cancelled", "Cancelled")],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "concern",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deadlines",
                                to="concerns.concern",
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.team",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "escalation_deadline",
                        "ordering": ["due_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Alert",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("step", models.PositiveSmallIntegerField()),
                        (
                            "recipients",
                            models.CharField(
                                choices=[
                                    ("duty_leads", "The owner, or the on-duty lead, and the on-duty deputies"),
                                    ("safeguarding_manager", "Safeguarding managers"),
                                    ("named_lead", "Named or executive lead"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_default=models.Func(
                                    output_field=models.DateTimeField(), template="clock_timestamp()"
                                )
                            ),
                        ),
                        ("overdue_seconds", models.IntegerField(default=0)),
                        (
                            "deadline",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="alerts", to="alerts.deadline"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "escalation_alert",
                        "ordering": ["created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="DutyShift",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[("lead", "On-duty lead"), ("deputy", "On-duty deputy")], max_length=10
                            ),
                        ),
                        ("starts_at", models.DateTimeField()),
                        ("ends_at", models.DateTimeField()),
                        (
                            "team",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.team",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="duty_shifts",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "escalation_dutyshift",
                        "ordering": ["starts_at"],
                    },
                ),
                migrations.CreateModel(
                    name="EscalationPolicy",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("acknowledge_concern", "Acknowledge a concern"),
                                    ("referral_response", "External referral: response due"),
                                    ("written_confirmation", "Confirm a phoned referral in writing"),
                                    ("lado_task", "Tell the LADO or designated officer"),
                                    ("client_informed_review", "Review whether to tell the client"),
                                    ("sharing_review", "Review an information-sharing decision"),
                                    ("limits_revisit", "Revisit the limits of confidentiality"),
                                ],
                                max_length=40,
                            ),
                        ),
                        (
                            "urgency",
                            models.CharField(
                                blank=True,
                                help_text="Blank: any urgency (values as on the concern: immediate, same_day, routine).",
                                max_length=20,
                            ),
                        ),
                        (
                            "jurisdiction",
                            models.CharField(
                                blank=True,
                                help_text="Blank: any nation (england, wales, scotland, northern_ireland).",
                                max_length=20,
                            ),
                        ),
                        (
                            "duration_minutes",
                            models.PositiveIntegerField(help_text="Time allowed from the start of the obligation."),
                        ),
                        (
                            "duration_basis",
                            models.CharField(
                                choices=[("elapsed", "Elapsed time, at any hour"), ("working", "Working time")],
                                default="working",
                                max_length=10,
                            ),
                        ),
                        (
                            "description",
                            models.CharField(blank=True, help_text="Where the number comes from.", max_length=200),
                        ),
                    ],
                    options={
                        "db_table": "escalation_escalationpolicy",
                        "verbose_name_plural": "escalation policies",
                        "ordering": ["kind", "urgency", "jurisdiction"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("kind", "urgency", "jurisdiction"), name="escalation_policy_unique"
                            )
                        ],
                    },
                ),
                migrations.AddField(
                    model_name="deadline",
                    name="policy",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="alerts.escalationpolicy",
                    ),
                ),
                migrations.CreateModel(
                    name="EscalationStep",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveSmallIntegerField(help_text="1 fires first.")),
                        (
                            "delay_minutes",
                            models.PositiveIntegerField(default=0, help_text="Minutes after the due time (real time)."),
                        ),
                        (
                            "recipients",
                            models.CharField(
                                choices=[
                                    ("duty_leads", "The owner, or the on-duty lead, and the on-duty deputies"),
                                    ("safeguarding_manager", "Safeguarding managers"),
                                    ("named_lead", "Named or executive lead"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "named_people",
                            models.ManyToManyField(
                                blank=True,
                                help_text="For the named or executive lead step; empty uses the ESCALATION_NAMED_LEAD_EMAILS setting.",
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "policy",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="steps",
                                to="alerts.escalationpolicy",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "escalation_escalationstep",
                        "ordering": ["policy", "number"],
                    },
                ),
                migrations.CreateModel(
                    name="Leave",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("starts_at", models.DateTimeField()),
                        ("ends_at", models.DateTimeField()),
                        ("reason", models.CharField(blank=True, max_length=100)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="leave",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "escalation_leave",
                        "verbose_name_plural": "leave",
                        "ordering": ["starts_at"],
                    },
                ),
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("idempotency_key", models.CharField(max_length=200, unique=True)),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("email", "Email"),
                                    ("in_app", "In-app notification"),
                                    ("webhook", "Webhook (Teams, Slack)"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "address",
                            models.CharField(blank=True, help_text="Email address or webhook URL.", max_length=500),
                        ),
                        ("subject", models.CharField(max_length=200)),
                        ("body", models.TextField()),
                        ("link", models.CharField(blank=True, max_length=500)),
                        ("message_id", models.CharField(blank=True, max_length=200)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("sending", "Sending"),
                                    ("retry", "Waiting to retry"),
                                    ("sent", "Delivered"),
                                    ("failed", "Failed"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField()),
                        ("lease_until", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "alert",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="messages",
                                to="alerts.alert",
                            ),
                        ),
                        (
                            "concern",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="concerns.concern",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "escalation_outboxmessage",
                        "ordering": ["created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        ("body", models.TextField(blank=True)),
                        ("link", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "message",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="notification",
                                to="alerts.outboxmessage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "escalation_notification",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="DeliveryAttempt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveSmallIntegerField()),
                        ("attempted_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
                        ("succeeded", models.BooleanField(default=False)),
                        ("error", models.TextField(blank=True)),
                        ("duration_ms", models.PositiveIntegerField(default=0)),
                        (
                            "message",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="delivery_attempts",
                                to="alerts.outboxmessage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "escalation_deliveryattempt",
                        "ordering": ["message", "number"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="alert",
                    constraint=models.UniqueConstraint(fields=("deadline", "step"), name="alert_once_per_step"),
                ),
                migrations.AddIndex(
                    model_name="dutyshift",
                    index=models.Index(fields=["ends_at", "starts_at"], name="dutyshift_current_idx"),
                ),
                migrations.AddConstraint(
                    model_name="dutyshift",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="dutyshift_ends_after_start"
                    ),
                ),
                migrations.AddIndex(
                    model_name="deadline",
                    index=models.Index(
                        condition=models.Q(("next_fire_at__isnull", False), ("state", "open")),
                        fields=["next_fire_at"],
                        name="deadline_due_open_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="deadline",
                    index=models.Index(
                        condition=models.Q(("state", "open")),
                        fields=["concern", "kind"],
                        name="deadline_concern_kind_idx",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="deadline",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("state", "open")),
                        fields=("kind", "subject_type", "subject_id"),
                        name="deadline_one_open",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="escalationstep",
                    constraint=models.UniqueConstraint(fields=("policy", "number"), name="escalation_step_unique"),
                ),
                migrations.AddConstraint(
                    model_name="leave",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="leave_ends_after_start"
                    ),
                ),
                migrations.AddIndex(
                    model_name="outboxmessage",
                    index=models.Index(
                        condition=models.Q(("status__in", ["pending", "retry"])),
                        fields=["next_attempt_at"],
                        name="outbox_undelivered_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="outboxmessage",
                    index=models.Index(
                        condition=models.Q(("status", "sending")), fields=["lease_until"], name="outbox_sending_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="notification",
                    index=models.Index(
                        condition=models.Q(("read_at__isnull", True)), fields=["user"], name="notification_unread_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="notification",
                    index=models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
                ),
            ],
        ),
    ]
