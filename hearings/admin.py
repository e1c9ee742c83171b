from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Courtroom


@admin.register(Courtroom)
class CourtroomAdmin(SimpleHistoryAdmin):
    """Courts' rooms and what they offer witnesses (safe waiting room, separate entrance, video
    link, screens): administrators keep them; the scheduling checks read them. Hearings,
    witnesses, measures and judges' absences are not here: they concern cases and victims and
    go through the access policy (judges' absences on the court staff's page)."""

    list_display = ["name", "court", "has_safe_waiting_room", "has_separate_entrance", "has_video_link",
                    "has_screen", "is_active"]
    list_filter = ["court", "has_safe_waiting_room", "has_video_link", "is_active"]
    list_select_related = ["court"]
    search_fields = ["name", "court__name"]
