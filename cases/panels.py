"""The record pages other apps add panels to: a case's page shows its victims, hearings,
deadlines and protection orders, which live in apps above cases. Each of those apps adds a
panel in its ready() (its selectors.py: `panel(user, record, may) -> context`), so the page
shows them without importing them [SPEC 2.2, SPEC 3]. Every panel asks the access policy
for its rows and costs a constant number of queries."""


class Panels:
    """The panels of one kind of record page, in the order added (the apps' order)."""

    def __init__(self, page):
        self.page = page
        self._panels = []

    def add(self, panel):
        self._panels.append(panel)

    def context(self, user, record, may):
        """Every panel's context for `record`, `may` holding the user's rights on it."""
        context = {}
        for panel in self._panels:
            context.update(panel(user, record, may))
        return context


CASE_PAGE = Panels("case")
