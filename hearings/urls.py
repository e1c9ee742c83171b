from .views import calendar, hearings

urlpatterns = hearings.urlpatterns + calendar.urlpatterns
