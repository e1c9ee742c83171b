from django.urls import include, path
from django.db import transaction
from rest_framework.routers import DefaultRouter

from accounts.api import MeView, ObtainTokenView
from cases.api import CaseViewSet
from victims.api import VictimViewSet

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="api-case")
router.register("victims", VictimViewSet, basename="api-victim")

urlpatterns = [
    path("", include(router.urls)),
    path("me/", MeView.as_view(), name="api-me"),
    path("token/", transaction.non_atomic_requests(ObtainTokenView.as_view()), name="api-token"),
]
