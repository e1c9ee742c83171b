from django.urls import path

from . import views

urlpatterns = [
    path("", views.InboxView.as_view(), name="referral-inbox"),
    path("directory/", views.DirectoryView.as_view(), name="referral-directory"),
    path("directory/our-entry/", views.DirectoryEditView.as_view(), name="referral-directory-edit"),
    path("<int:pk>/", views.ReferralDetailView.as_view(), name="referral-detail"),
    path("<int:pk>/assign/", views.ReferralAssignView.as_view(), name="referral-assign"),
    path("<int:pk>/<slug:step>/", views.ReferralStepView.as_view(), name="referral-step"),
    # Belongs under /victims/<pk>/refer/: victims/urls.py would route it there with
    # path("<int:pk>/refer/", ReferView.as_view(), name="victim-refer").
    path("victims/<int:pk>/refer/", views.ReferView.as_view(), name="victim-refer"),
]
