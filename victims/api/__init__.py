"""The victims API: /api/victims/ and one collection per part of a victim's file."""

from .sections import ROUTES as SECTION_ROUTES
from .victim import VictimViewSet

# Route prefix -> viewset, registered in config/api_urls.py.
ROUTES = {"victims": VictimViewSet, **SECTION_ROUTES}
