from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from access import views as access_views
from accounts import views as account_views
from reports import views as report_views

urlpatterns = [
    path("", report_views.HomeView.as_view(), name="home"),
    path("accounts/access-log/", access_views.AccessLogView.as_view(), name="access-log"),
    path("accounts/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("victims/", include("victims.urls")),
    path("referrals/", include("referrals.urls")),
    path("calendar/", include("hearings.urls")),
    path("calendar/", include("deadlines.urls")),
    path("protection/", include("protection.urls")),
    path("reports/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", account_views.health, name="health"),
    path("api/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as a file of its own (CSP script-src 'self').
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("TIP case management administration")
admin.site.site_title = _("TIP case management")
