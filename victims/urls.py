from django.urls import path

from . import views

# Parts of a victim's file: (url segment, name, create view, edit view or None).
SECTIONS = [
    ("documents", "document", views.DocumentCreate, views.DocumentUpdate),
    ("services", "service", views.ServiceCreate, views.ServiceUpdate),
    ("reflection", "reflection", views.ReflectionCreate, None),
    ("permits", "permit", views.PermitCreate, views.PermitUpdate),
    ("asylum", "asylum", views.AsylumCreate, views.AsylumUpdate),
    ("returns", "return", views.ReturnCreate, None),
    ("risks", "risk", views.RiskCreate, views.RiskUpdate),
    ("safety-plans", "safety-plan", views.SafetyPlanCreate, views.SafetyPlanUpdate),
    ("relatives", "relative", views.RelativeCreate, views.RelativeUpdate),
    ("non-punishment", "non-punishment", views.NonPunishmentCreate, None),
    ("detentions", "detention", views.DetentionCreate, views.DetentionUpdate),
    ("participation", "participation", views.ParticipationCreate, None),
    ("requests", "data-request", views.DataRequestCreate, views.DataRequestUpdate),
    ("counselling", "counselling-note", views.CounsellingNoteCreate, None),
]

urlpatterns = [
    path("", views.VictimListView.as_view(), name="victim-list"),
    path("new/", views.VictimCreateView.as_view(), name="victim-create"),
    path("<int:pk>/", views.VictimDetailView.as_view(), name="victim-detail"),
    path("<int:pk>/edit/", views.VictimUpdateView.as_view(), name="victim-edit"),
    path("<int:pk>/identity/", views.IdentityUpdateView.as_view(), name="victim-identity-edit"),
    path("<int:pk>/status/", views.StatusView.as_view(), name="victim-status"),
    path("<int:pk>/not-a-victim/", views.NotAVictimView.as_view(), name="victim-not-a-victim"),
    path("<int:pk>/verify-adult/", views.VerifyAdultView.as_view(), name="victim-verify-adult"),
    path("<int:pk>/export/", views.VictimExportView.as_view(), name="victim-export"),
    path("<int:pk>/consents/add/", views.ConsentCreateView.as_view(), name="victim-consent-add"),
    path("<int:pk>/consents/<int:consent_pk>/withdraw/", views.ConsentWithdrawView.as_view(),
         name="victim-consent-withdraw"),
    path("<int:victim_pk>/cooperation/", views.CooperationEdit.as_view(), name="victim-cooperation-edit"),
    path("<int:pk>/cases/link/", views.LinkCaseView.as_view(), name="victim-case-link"),
    path("<int:pk>/cases/<int:link_pk>/unlink/", views.UnlinkCaseView.as_view(), name="victim-case-unlink"),
    path("<int:pk>/supports/add/", views.AddSupportView.as_view(), name="victim-support-add"),
    path("<int:pk>/supports/<int:support_pk>/end/", views.EndSupportView.as_view(), name="victim-support-end"),
]
for segment, name, create, update in SECTIONS:
    urlpatterns.append(path(f"<int:victim_pk>/{segment}/add/", create.as_view(), name=f"victim-{name}-add"))
    if update is not None:
        urlpatterns.append(path(f"<int:victim_pk>/{segment}/<int:pk>/edit/", update.as_view(),
                                name=f"victim-{name}-edit"))
