from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self):
        from accounts import access
        from accounts.security import connect_receivers, secure_admin_site

        # Session start time; other sessions end when a password or second factor changes.
        connect_receivers()
        # The cached roles and second-factor state are dropped whenever either changes.
        access.connect_receivers()
        secure_admin_site()
