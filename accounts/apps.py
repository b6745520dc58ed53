from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts import access
        from accounts.models import Team
        from accounts.security import connect_receivers, secure_admin_site
        from accounts.selectors import forget_team_names

        # Session start time; other sessions end when a password or second factor changes.
        connect_receivers()
        # The cached roles and second-factor state are dropped whenever either changes.
        access.connect_receivers()
        # The cached list of every team's name is dropped whenever a team changes.
        post_save.connect(forget_team_names, sender=Team, dispatch_uid="accounts.team_names_saved")
        post_delete.connect(forget_team_names, sender=Team, dispatch_uid="accounts.team_names_deleted")
        secure_admin_site()
