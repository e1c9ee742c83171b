from django.urls import path

from . import views

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("new/", views.CaseCreateView.as_view(), name="case-create"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("<int:pk>/edit/", views.CaseUpdateView.as_view(), name="case-edit"),
    path("<int:pk>/move/", views.CaseMoveView.as_view(), name="case-move"),
    path("<int:case_pk>/team/assign/", views.AssignView.as_view(), name="case-assign"),
    path("<int:case_pk>/team/<int:pk>/end/", views.EndAssignmentView.as_view(), name="case-assignment-end"),
    path("<int:case_pk>/exclusions/add/", views.ExcludeView.as_view(), name="case-exclude"),
    path("<int:case_pk>/defendants/add/", views.DefendantCreate.as_view(), name="defendant-add"),
    path("<int:case_pk>/defendants/<int:pk>/edit/", views.DefendantUpdate.as_view(), name="defendant-edit"),
    path("<int:case_pk>/defendants/<int:defendant_pk>/charges/add/", views.ChargeCreate.as_view(), name="charge-add"),
    path("<int:case_pk>/charges/<int:pk>/edit/", views.ChargeUpdate.as_view(), name="charge-edit"),
    path("<int:case_pk>/charges/<int:charge_pk>/verdict/", views.VerdictCreate.as_view(), name="verdict-add"),
    path("<int:case_pk>/verdicts/<int:pk>/edit/", views.VerdictUpdate.as_view(), name="verdict-edit"),
    path("<int:case_pk>/verdicts/<int:verdict_pk>/appeals/add/", views.AppealCreate.as_view(), name="appeal-add"),
    path("<int:case_pk>/appeals/<int:pk>/edit/", views.AppealUpdate.as_view(), name="appeal-edit"),
    path("<int:case_pk>/assets/add/", views.AssetCreate.as_view(), name="asset-add"),
    path("<int:case_pk>/assets/<int:pk>/edit/", views.AssetUpdate.as_view(), name="asset-edit"),
    path("<int:case_pk>/cooperation/add/", views.CooperationCreate.as_view(), name="cooperation-add"),
    path("<int:case_pk>/cooperation/<int:pk>/edit/", views.CooperationUpdate.as_view(), name="cooperation-edit"),
    path("<int:case_pk>/compensation/add/", views.CompensationCreate.as_view(), name="compensation-add"),
    path("<int:case_pk>/compensation/<int:pk>/edit/", views.CompensationUpdate.as_view(), name="compensation-edit"),
    path("<int:case_pk>/meetings/add/", views.MeetingCreate.as_view(), name="meeting-add"),
    path("<int:case_pk>/notes/add/", views.NoteCreate.as_view(), name="note-add"),
]
