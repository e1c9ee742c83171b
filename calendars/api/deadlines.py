ROUTES = {}
