"""Statistics for national reporting [SPEC 2.8]."""
