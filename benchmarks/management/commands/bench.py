"""`manage.py bench`: generate the national dataset when absent, measure the pages, the deadline
sweep, the grants rebuild and the coordination export, print one table and write it to
benchmarks/results/latest.md and latest.json (see benchmarks/bench/__init__.py)."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from benchmarks.bench import jobs, report, runner


class Command(BaseCommand):
    help = "Measure pages (time, queries, SQL floor), the deadline sweep, the grants rebuild and the export."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=50000,
                            help="Size of the dataset generate_national makes when absent (default 50000).")
        parser.add_argument("--no-generate", action="store_true",
                            help="Measure the data already in the database; do not call generate_national.")
        parser.add_argument("--repeat", type=int, default=15,
                            help="Timed requests per page after one warm-up (default 15).")
        parser.add_argument("--only", action="append", default=[], metavar="NAME",
                            help="Run only what has NAME in its name or user (repeatable), e.g. --only 'case list'.")
        parser.add_argument("--skip-pages", action="store_true")
        parser.add_argument("--skip-sweep", action="store_true")
        parser.add_argument("--skip-grants", action="store_true")
        parser.add_argument("--skip-export", action="store_true")
        parser.add_argument("--export-formats", default="xlsx,csv",
                            help="Comma-separated export formats to measure (xlsx, csv, pdf; default xlsx,csv).")
        parser.add_argument("--output-dir", default=str(Path(settings.BASE_DIR) / "benchmarks" / "results"),
                            help="Where latest.json and latest.md go (default benchmarks/results).")

    def handle(self, *args, **options):
        started = datetime.datetime.now(datetime.timezone.utc)
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1")
        if not options["no_generate"]:
            self.generate(options["cases"])
            self.check_size(options["cases"])
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: pages are slower than the server runs them (./dev bench switches it off).")
        self.ensure_static_manifest()
        formats = [fmt.strip() for fmt in options["export_formats"].split(",") if fmt.strip()]
        self.stdout.write(f"Measuring against {connection.settings_dict['NAME']} "
                          f"({options['repeat']} timed requests per page)")
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        with override_settings(ALLOWED_HOSTS=hosts):
            pages, done = runner.run(
                repeat=options["repeat"], only=options["only"], skip_pages=options["skip_pages"],
                skip_sweep=options["skip_sweep"], skip_grants=options["skip_grants"],
                skip_export=options["skip_export"], export_formats=formats, out=self.stdout)
        report.judge(pages, done)
        kept = {key: options[key] for key in ("cases", "no_generate", "repeat", "only", "skip_pages", "skip_sweep",
                                              "skip_grants", "skip_export")}
        kept["export_formats"] = formats
        directory = Path(options["output_dir"])
        table, summary = report.write(directory, pages=pages, jobs=done, options=kept, facts=report.machine(),
                                      data=report.dataset(), started=started)
        self.stdout.write("\n" + table)
        self.stdout.write(f"{summary['met']} targets met, {summary['missed']} missed, "
                          f"{summary['not_available']} n/a; written to {directory / 'latest.md'} and latest.json")
        if summary["failed"]:
            raise CommandError(f"{summary['failed']} measurement(s) failed: see the table above")

    def generate(self, cases):
        """generate_national exits quickly when the data is there already."""
        if "generate_national" not in get_commands():
            self.stderr.write("generate_national does not exist yet: measuring the data already in the database.")
            return
        self.stdout.write(f"Dataset: manage.py generate_national --cases {cases}")
        env = {**os.environ, "DATABASE_URL": jobs.database_url()}
        done = subprocess.run([sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "generate_national",
                               "--cases", str(cases)], cwd=settings.BASE_DIR, env=env)
        if done.returncode != 0:
            raise CommandError(f"generate_national failed (exit {done.returncode})")

    def check_size(self, cases):
        from cases.models import Case

        found = Case.objects.count()
        if found < 0.9 * cases:
            self.stderr.write(f"The database holds {found} cases, not the {cases} asked for: generate_national keeps "
                              "a dataset it finds. Drop the database to measure the size asked for.")

    def ensure_static_manifest(self):
        """With DEBUG off the server renders {% static %} from collectstatic's manifest, as its
        image ships it: collect the files when the manifest is missing or lacks a file the
        sources hold (a stylesheet or script added since the last collection)."""
        from django.contrib.staticfiles import finders
        from django.contrib.staticfiles.storage import staticfiles_storage

        name = getattr(staticfiles_storage, "manifest_name", None)
        if name is None:
            return
        if staticfiles_storage.manifest_storage.exists(name):
            collected = staticfiles_storage.load_manifest()[0]
            sources = {path for finder in finders.get_finders() for path, _storage in finder.list([])}
            if sources <= set(collected):
                return
        self.stdout.write(f"Collecting static files into {settings.STATIC_ROOT} (the manifest is missing or stale)")
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        staticfiles_storage.hashed_files, staticfiles_storage.manifest_hash = staticfiles_storage.load_manifest()
