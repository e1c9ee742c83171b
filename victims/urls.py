from django.urls import path

from . import views

urlpatterns = [
    path("", views.VictimListView.as_view(), name="victim-list"),
    path("<int:pk>/", views.VictimDetailView.as_view(), name="victim-detail"),
]
