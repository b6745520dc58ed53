from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import LEAD_ROLES, Role


class Nation(models.TextChoices):
    """The UK nations whose bank holidays make a working calendar.

    The same codes as a concern's nation (concerns.Jurisdiction), which this layer cannot import.
    """

    ENGLAND = "england", _("England")
    WALES = "wales", _("Wales")
    SCOTLAND = "scotland", _("Scotland")
    NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")


class Organisation(models.Model):
    """The organisation running the portal: one row (``Organisation.current()``).

    Its nation is the working calendar of every team that does not name its own. The
    allegations manager hears about a concern when everyone its alerts would normally reach
    must never see it (a concern about one of our own staff).
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    name = models.CharField(_("name"), max_length=150, default="Our organisation")
    nation = models.CharField(
        _("nation"),
        max_length=20,
        choices=Nation.choices,
        default=Nation.ENGLAND,
        help_text=_(
            "The working calendar (bank holidays) of every team without a nation of its own: it sets when "
            "those teams' leads must act."
        ),
    )
    allegations_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("allegations manager"),
        help_text=_(
            "Hears a concern's alerts when everyone they would normally go to must never see it (for "
            "example a concern about the only lead on duty and the managers)."
        ),
    )

    # Who changed the organisation's settings, from any client, is recorded in audit_rowchange.
    capture_row_changes = True

    class Meta:
        verbose_name = _("organisation settings")
        verbose_name_plural = _("organisation settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="organisation_single_row"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> "Organisation":
        """The one row; created with the defaults (England) if a migration has not made it."""
        organisation, _created = cls.objects.get_or_create(pk=cls.SINGLETON_ID)
        return organisation


class Team(models.Model):
    """A service or ward. Concerns and clients belong to a team."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=40, unique=True)
    nation = models.CharField(
        _("nation"),
        max_length=20,
        choices=Nation.choices,
        blank=True,
        help_text=_(
            "Where the team works. Its bank holidays decide when the team's leads must acknowledge and "
            "decide. Blank: the organisation's nation."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    # Leads and deputies cover teams: they see and answer for those teams' concerns.
    covered_teams = models.ManyToManyField(Team, related_name="covering_leads", blank=True)
    covers_all_teams = models.BooleanField(
        default=False, help_text="A lead for the whole organisation covers every team."
    )

    objects = UserManager()

    # Every change to an account, from any client, is recorded in audit_rowchange. A plain
    # flag that audit reads (audit.append_only.captured_tables): accounts does not import audit.
    capture_row_changes = True

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        indexes = [
            # The lead's queue ordered by reporter or owner walks people in name order
            # (escalation.selectors._first_by_name).
            models.Index(fields=["full_name", "id"], name="user_name_order_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def role_names(self) -> frozenset[str]:
        # Read once per request and cached across requests (accounts.access), not a query per check.
        from accounts.access import access_facts

        return access_facts(self).role_names

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    @property
    def is_lead(self) -> bool:
        return self.has_role(*LEAD_ROLES)

    @property
    def is_clinician(self) -> bool:
        return self.has_role(Role.CLINICIAN)

    @property
    def is_manager(self) -> bool:
        return self.has_role(Role.MANAGER)

    @property
    def is_administrator(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)

    @property
    def primary_role(self) -> str | None:
        """The role that decides the start page, most responsible first."""
        for role in (Role.LEAD, Role.DEPUTY, Role.MANAGER, Role.ADMINISTRATOR, Role.CLINICIAN):
            if role in self.role_names:
                return role
        return None
