from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """National-scale data and the benchmark that measures pages against it [SPEC 3]. No
    models: it writes through the other apps' tables and reads them as a user would."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
