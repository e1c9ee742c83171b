from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ServiceProvider


@admin.register(ServiceProvider)
class ServiceProviderAdmin(SimpleHistoryAdmin):
    """The referral directory: administrators keep it; it holds no victim data. Referrals
    themselves are not in the admin: they concern victims and go through the access policy."""

    list_display = ["agency", "areas", "accepts_children", "capacity", "contact_point"]
    list_filter = ["accepts_children", "agency__country"]
    list_select_related = ["agency"]
    search_fields = ["agency__name", "areas"]
