from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.admin import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .functions import Function
from .models import AccessLog, Agency, Jurisdiction, TrainingRecord, User


@admin.register(Jurisdiction)
class JurisdictionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "country"]
    list_filter = ["country"]
    search_fields = ["name"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "country", "jurisdiction", "is_active"]
    list_filter = ["kind", "country", "is_active"]
    list_select_related = ["jurisdiction"]
    search_fields = ["name"]


class TrainingInline(admin.TabularInline):
    model = TrainingRecord
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "function_list", "is_active"]
    list_filter = ["agency__kind", "agency", "is_active", "is_staff"]
    list_select_related = ["agency"]
    # No groups, permissions or superuser flag here: group membership follows the agency and
    # the case teams (accounts.services, cases.grants) and must not be hand-edited.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Agency and functions"), {"fields": ("agency", "functions")}),
        (_("Status"), {"fields": ("is_active", "is_staff")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Agency and functions"), {"fields": ("first_name", "last_name", "email", "agency", "functions")}),
    )
    inlines = [TrainingInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and obj.pk == request.user.pk:
            # Nobody widens their own access.
            for name in ("agency", "functions", "is_staff"):
                if name in form.base_fields:
                    form.base_fields[name].disabled = True
        return form

    def save_model(self, request, obj, form, change):
        if change and "agency" in form.changed_data:
            # Saved at the old agency first, then moved by the service, which ends what the
            # person did for the old agency (their case teams) in the same transaction.
            agency, obj.agency_id = obj.agency, form.initial.get("agency")
            super().save_model(request, obj, form, change)
            services.change_agency(user=obj, agency=agency)
        else:
            super().save_model(request, obj, form, change)

    @admin.display(description=_("functions"))
    def function_list(self, user):
        return ", ".join(str(label) for label in user.get_function_labels())


@admin.register(TrainingRecord)
class TrainingRecordAdmin(SimpleHistoryAdmin):
    list_display = ["user", "course", "area", "provider", "completed_on", "valid_until"]
    list_filter = ["area", "provider"]
    search_fields = ["course", "user__username", "user__last_name"]
    list_select_related = ["user"]
    date_hierarchy = "completed_on"


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only evidence."""

    list_display = ["at", "username", "action", "object_label", "requested", "purpose", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "object_label"]
    date_hierarchy = "at"

    def has_view_permission(self, request, obj=None):
        # Separation of duties: auditors read the log, administrators do not.
        return request.user.is_active and request.user.is_staff and request.user.has_function(Function.AUDITOR)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Groups are managed by the system (one per agency and case team), and tokens belong to
# their owners: an administrator could otherwise read the API as someone else.
for model in (Group, TokenProxy):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


# Second-factor devices (accounts/two_factor.py). An administrator may see who has set up an
# authenticator and reset a lost one (delete it: the person sets up a new one at next sign-in),
# but never read a key or a backup code, nor add a device for someone else.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class SecondFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(TOTPDevice, SecondFactorDeviceAdmin)
admin.site.register(StaticDevice, SecondFactorDeviceAdmin)
