"""Why an export or an import cannot run as asked: its message is shown to its owner. Its own
module, so what builds a report can refuse without importing the job machinery."""


class ExportRefused(Exception):
    """The job cannot run as asked; the message is shown to its owner."""
