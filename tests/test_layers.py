"""The apps depend downward only [SPEC 3]: accounts at the bottom, the access policy above it
(importing no domain app), then cases, victims, referrals and protection, deadlines, hearings,
reports, config and the demo, and the benchmark on top (pyproject.toml, [tool.importlinter]). A cross-app
reaction that would point upward is a signal or a registration in AppConfig.ready() (rules,
capabilities, grant sources, flags, page panels). import-linter reads the real import graph,
imports inside functions included."""

from pathlib import Path

import tomllib
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_apps_depend_downward_only(capsys):
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert status == 0, report
    assert "Contracts: 1 kept, 0 broken." in report


def test_every_app_is_in_a_layer():
    """An app left out of the contract would be free to import anything."""
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"config", "access"}
    layered = {name.strip() for layer in CONFIG["contracts"][0]["layers"] for name in layer.split("|")}
    assert apps == layered == set(CONFIG["root_packages"])


def test_the_contract_lets_no_upward_import_pass():
    """No exception: an upward import is moved behind a registration or a signal, not listed."""
    assert "ignore_imports" not in CONFIG["contracts"][0]
