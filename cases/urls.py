from django.urls import path

from . import views

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("<int:pk>/edit/", views.CaseUpdateView.as_view(), name="case-edit"),
]
