from django.urls import path

from . import views

urlpatterns = [
    path("orders/new/", views.OrderCreateView.as_view(), name="protection-order-create"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="protection-order-detail"),
    path("orders/<int:pk>/vary/", views.OrderVaryView.as_view(), name="protection-order-vary"),
    path("orders/<int:pk>/review/", views.OrderReviewView.as_view(), name="protection-order-review"),
    path("orders/<int:pk>/revoke/", views.OrderRevokeView.as_view(), name="protection-order-revoke"),
    path("orders/<int:pk>/violations/new/", views.ViolationReportView.as_view(), name="violation-report"),
    path("violations/<int:pk>/edit/", views.ViolationEditView.as_view(), name="violation-edit"),
]
