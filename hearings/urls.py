from .views import calendar, deadlines, hearings, notifications

urlpatterns = hearings.urlpatterns + calendar.urlpatterns + deadlines.urlpatterns + notifications.urlpatterns
