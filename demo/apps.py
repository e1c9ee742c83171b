from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data and demo logins (manage.py seed_demo): it records through every app's
    services, so it sits above them all."""

    name = "demo"
    verbose_name = _("Demo data")
