"""Test runs keep apart: ./dev test gives each checkout its own test database and Redis key
prefix, and the settings give each pytest-xdist worker its own prefix within it."""

import importlib.machinery
import importlib.util
import os
import re
from pathlib import Path


def load_dev():
    loader = importlib.machinery.SourceFileLoader("dev_command", str(Path(__file__).resolve().parent.parent / "dev"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def test_two_checkouts_get_their_own_test_database_and_key_prefix(tmp_path):
    dev = load_dev()
    main, worktree = dev.test_namespace(tmp_path / "main"), dev.test_namespace(tmp_path / "wt-xdist")
    assert main[0] != worktree[0] and main[1] != worktree[1]
    assert dev.test_namespace(tmp_path / "main") == main  # and the same ones run after run
    assert dev.test_namespace() == dev.test_namespace(dev.ROOT) != main
    # A name PostgreSQL takes unquoted, short enough with pytest-django's test_ and _gw<n> around it.
    assert re.fullmatch(r"tipcms_[0-9a-f]{10}", main[0]) and len(f"test_{main[0]}_gw99") < 63
    assert re.fullmatch(r"tipcms-test-[0-9a-f]{10}", main[1])


def test_the_whole_suite_runs_on_every_core_unless_the_arguments_say_how_or_what():
    dev = load_dev()
    assert not dev.chooses_workers([]) and not dev.chooses_workers(["-k", "matrix", "-x"])
    assert dev.chooses_workers(["-n", "0"]) and dev.chooses_workers(["-n4"]) and dev.chooses_workers(["-p", "no:xdist"])
    assert dev.chooses_workers(["--dist=loadfile"])
    assert dev.chooses_workers(["tests/test_dev.py"]) and dev.chooses_workers(["-x", "tests/test_dev.py::test_x"])


def test_each_worker_keeps_its_cache_and_broker_keys_under_a_prefix_of_its_own(settings):
    from config.celery import app

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    assert prefix == os.environ.get("CACHE_KEY_PREFIX", "tipcms") + (f"-{worker}" if worker else "")
    assert app.conf.broker_transport_options["global_keyprefix"] == f"{prefix}:"
