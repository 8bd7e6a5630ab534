"""Install the course's JupyterLab settings into the active Python environment.

    python jupyter-settings/install.py

Copies, into the environment that runs this script (``sys.prefix``: ``.venv``, the conda
environment, Binder's image), the files of this folder:

- ``overrides.json`` → ``share/jupyter/lab/settings/``: JupyterLab in French, no news or
  update checks (the course works offline);
- ``page_config.json`` → ``share/jupyter/lab/settings/``: front-end extensions turned off
  because they show English that the French language pack does not cover (Voilà's preview
  buttons, the debugger's toolbar button, the file browser's « Open With » submenu, the
  « Licenses » entry of the Help menu) or because they reach the network (the extension
  manager); Voilà's server keeps working (``/voila/render/…``);
- ``ipython_kernel_config.py`` → ``etc/ipython/``: the kernel's links in the Help menu,
  in French.

``make setup`` and Binder's ``postBuild`` run it; the README's manual ways call it too.
It only writes these three files, and rewriting them is harmless.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAB_SETTINGS = Path("share", "jupyter", "lab", "settings")
TARGETS = {
    "overrides.json": LAB_SETTINGS,
    "page_config.json": LAB_SETTINGS,
    "ipython_kernel_config.py": Path("etc", "ipython"),
}


def destinations(prefix: str | Path = sys.prefix) -> dict[Path, Path]:
    """``{file of this folder: where it goes}`` for the environment at ``prefix``."""
    return {HERE / name: Path(prefix) / folder / name for name, folder in TARGETS.items()}


def missing_or_different(prefix: str | Path = sys.prefix) -> list[Path]:
    """Installed copies that are absent or differ from this folder's files."""
    return [dest for src, dest in destinations(prefix).items()
            if not dest.is_file() or dest.read_bytes() != src.read_bytes()]


def install(prefix: str | Path = sys.prefix) -> list[Path]:
    """Copy the settings into the environment at ``prefix``; return the files written."""
    written = []
    for src, dest in destinations(prefix).items():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        written.append(dest)
    return written


if __name__ == "__main__":
    for path in install():
        print(f"Réglage du cours installé : {path}")
