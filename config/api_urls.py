from django.db import transaction
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api import MeView, ObtainTokenView
from cases.api import ROUTES as CASE_ROUTES
from deadlines.api import ROUTES as DEADLINE_ROUTES
from hearings.api import ROUTES as HEARING_ROUTES
from protection.api import ROUTES as PROTECTION_ROUTES
from referrals.api import ROUTES as REFERRAL_ROUTES
from reports.api import CoordinationReportAPIView, MicrodataAPIView, StatisticsAPIView
from victims.api import ROUTES as VICTIM_ROUTES

router = DefaultRouter()
for prefix, viewset in {**CASE_ROUTES, **VICTIM_ROUTES, **REFERRAL_ROUTES, **HEARING_ROUTES, **DEADLINE_ROUTES, **PROTECTION_ROUTES}.items():
    router.register(prefix, viewset, basename=f"api-{prefix}")

urlpatterns = [
    path("", include(router.urls)),
    path("me/", MeView.as_view(), name="api-me"),
    path("reports/coordination/", CoordinationReportAPIView.as_view(), name="api-coordination-report"),
    path("reports/statistics/", StatisticsAPIView.as_view(), name="api-statistics"),
    path("reports/statistics/microdata/", MicrodataAPIView.as_view(), name="api-microdata"),
    path("token/", transaction.non_atomic_requests(ObtainTokenView.as_view()), name="api-token"),
]
