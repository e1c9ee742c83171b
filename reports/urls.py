from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.ProsecutorDashboardView.as_view(), name="prosecutor-dashboard"),
    path("supervision/", views.SupervisorDashboardView.as_view(), name="supervisor-dashboard"),
]
