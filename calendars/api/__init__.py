from .deadlines import ROUTES as DEADLINE_ROUTES
from .hearings import ROUTES as HEARING_ROUTES

ROUTES = {**HEARING_ROUTES, **DEADLINE_ROUTES}
