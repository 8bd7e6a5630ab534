"""Project-wide guarantees: pins in one place, a light import, the environment check."""

import re
import subprocess
import sys
from pathlib import Path

from crmlab import check_env

ROOT = Path(__file__).resolve().parent.parent


def _environment_pins() -> tuple[dict[str, str], str | None]:
    pins, python = {}, None
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.fullmatch(r"-\s*python\s*=\s*([\d.]+)", line)
        if m:
            python = m.group(1)
        m = re.fullmatch(r"-\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s]+)", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins, python


def test_environment_yml_installs_exactly_the_pins_of_requirements():
    requirements = check_env.read_pins(ROOT / "requirements.txt")
    environment, python = _environment_pins()
    assert requirements, "requirements.txt has no pin"
    assert environment == requirements, (
        f"only in requirements.txt: {sorted(set(requirements.items()) - set(environment.items()))}; "
        f"only in environment.yml: {sorted(set(environment.items()) - set(requirements.items()))}")
    assert python is not None and tuple(map(int, python.split("."))) >= (3, 11)


def test_every_pin_is_exact():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.]+", line), f"not an exact pin: {line!r}"


def test_import_crmlab_loads_no_heavy_library():
    code = ("import sys, crmlab, crmlab.datasets, crmlab.style, crmlab.exercises, crmlab.validation; "
            "heavy = ['sklearn', 'lifetimes', 'seaborn', 'ipywidgets', 'duckdb', 'faker', 'scipy', "
            "'matplotlib.pyplot', 'rapidfuzz']; print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
    assert out.stderr == "", out.stderr  # no warning at import


def test_import_has_no_side_effect_on_pandas_or_matplotlib():
    code = ("import pandas as pd, matplotlib as mpl; before = (pd.get_option('display.float_format'), "
            "dict(mpl.rcParams)); import crmlab, crmlab.style, crmlab.exercises; "
            "print(before == (pd.get_option('display.float_format'), dict(mpl.rcParams)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_check_env_reports_missing_and_other_versions_in_french():
    lines, ok = check_env.report({"pandas": "0.0.1", "paquet-qui-n-existe-pas": "1.0"})
    text = "\n".join(lines)
    assert not ok
    assert "paquet-qui-n-existe-pas" in text and "absent" in text
    assert "0.0.1 attendu" in text
    assert "pip install -r requirements.txt" in text


def test_check_env_passes_on_this_installation():
    lines, ok = check_env.report()
    assert ok, "\n".join(lines)
