from .views import deadlines, notifications

urlpatterns = deadlines.urlpatterns + notifications.urlpatterns
