"""Environment check for students: ``python -m crmlab.check_env``.

Tells, in French and package by package, what is installed, what is missing or
at another version than the course's pins (requirements.txt), and what to type.
Exit status 0 when everything is in place, 1 otherwise.
"""

from __future__ import annotations

import runpy
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def read_pins(path: Path | None = None) -> dict[str, str]:
    """``{name: version}`` of every ``name==version`` line of requirements.txt (names lower-cased)."""
    path = path or ROOT / "requirements.txt"
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def settings_to_install(prefix: str | Path = sys.prefix) -> list[Path]:
    """The course's JupyterLab settings (``jupyter-settings/``) absent or outdated in ``prefix``."""
    installer = ROOT / "jupyter-settings" / "install.py"
    if not installer.exists():  # crmlab installed without the course folder
        return []
    return runpy.run_path(str(installer))["missing_or_different"](prefix)


def report(pins: dict[str, str] | None = None) -> tuple[list[str], bool]:
    """Lines of the French report and whether everything is in place."""
    pins = pins if pins is not None else read_pins()
    lines = [f"Python {sys.version.split()[0]} ({sys.executable})"]
    ok = sys.version_info >= (3, 11)
    if not ok:
        lines.append("  ✗ Python 3.11 ou plus récent est requis : installez-le depuis python.org.")
    missing, other = [], []
    for name, wanted in sorted(pins.items()):
        got = _installed(name)
        if got is None:
            lines.append(f"  ✗ {name:<32} absent (attendu {wanted})")
            missing.append(name)
        elif got != wanted:
            lines.append(f"  ~ {name:<32} {got} installé, {wanted} attendu")
            other.append(name)
        else:
            lines.append(f"  ✓ {name:<32} {got}")
    if _installed("crmlab") is None:
        lines.append("  ✗ crmlab (le paquet du cours) n'est pas installé.")
        missing.append("crmlab")
    data = ROOT / "datasets" / "customers.csv"
    if data.exists():
        lines.append("  ✓ données de l'entreprise générées (datasets/)")
    else:
        lines.append("  ✗ données de l'entreprise non générées (datasets/ est vide)")
    settings = settings_to_install()
    if settings:
        lines.append("  ✗ réglages du cours pour JupyterLab (interface en français) non installés")
    else:
        lines.append("  ✓ réglages du cours pour JupyterLab installés (interface en français)")
    lines.append("")
    todo = []
    if missing or other:
        todo += ["    python -m pip install -r requirements.txt",
                 "    python -m pip install --no-deps --no-build-isolation -e ."]
    if not data.exists():
        todo.append("    python -m crmlab.datasets build")
    if settings:
        todo.append("    python jupyter-settings/install.py")
    if todo:
        ok = False
        lines.append("À faire, depuis le dossier du cours, environnement (.venv) activé :")
        lines += todo
        if other and not missing:
            lines.append("(D'autres versions fonctionnent souvent, mais les résultats peuvent "
                         "différer légèrement de ceux du cours.)")
    elif ok:
        lines.append("Tout est en place. Ouvrez le cours depuis son dossier :")
        lines.append("    jupyter lab --notebook-dir=. notebooks/00_prise_en_main.ipynb")
    return lines, ok


def main() -> int:
    lines, ok = report()
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
