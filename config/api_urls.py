from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from accounts.api import MeView
from cases.api import CaseViewSet
from victims.api import VictimViewSet

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="api-case")
router.register("victims", VictimViewSet, basename="api-victim")

urlpatterns = [
    path("", include(router.urls)),
    path("me/", MeView.as_view(), name="api-me"),
    path("token/", obtain_auth_token, name="api-token"),
]
