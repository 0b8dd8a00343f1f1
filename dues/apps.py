from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dues"
    verbose_name = "党费"

    def ready(self):
        from django.db.models.signals import post_migrate

        from dues.append_only import register_with_flush, reinstall_after_migrate
        from dues.defaults import ensure_default_rates

        post_migrate.connect(reinstall_after_migrate, sender=self, dispatch_uid="dues-book-append-only")
        post_migrate.connect(ensure_default_rates, sender=self, dispatch_uid="dues-default-rates")
        register_with_flush()
