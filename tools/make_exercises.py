"""Generate exercises/NN_*.ipynb from solutions/NN_*.ipynb (the single source).

Markers follow nbgrader's convention:
- in a code cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION``
  (inclusive) are removed; the placeholder line above them (``x = None``) stays,
  and so does the ``check(...)`` call below them;
- in a markdown cell, the text between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->`` is replaced by an answer prompt.
Every output and execution count is cleared.

Usage: python tools/make_exercises.py          # write exercises/
       python tools/make_exercises.py --check  # exit 1 if exercises/ is out of date
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CODE_BLOCK = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*(\n|$)", re.S | re.M)
MD_BLOCK = re.compile(r"<!-- BEGIN SOLUTION -->.*?<!-- END SOLUTION -->", re.S)
MD_PROMPT = "*Votre réponse (quelques phrases) :* …"


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the exercise version of a solution notebook."""
    nb = nbformat.from_dict(nb)  # deep copy
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = CODE_BLOCK.sub("", cell.source).rstrip("\n")
            cell.outputs = []
            cell.execution_count = None
            cell.metadata = {k: v for k, v in cell.metadata.items() if k in {"tags"}}
        elif cell.cell_type == "markdown":
            cell.source = MD_BLOCK.sub(MD_PROMPT, cell.source)
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in {"kernelspec", "language_info"}}
    nb.metadata.get("language_info", {}).pop("version", None)
    return nb


def render(path: Path) -> str:
    nb = strip(nbformat.read(path, as_version=4))
    return nbformat.writes(nb) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for src in sorted((ROOT / "solutions").glob("[0-9]*.ipynb")):
        dst = ROOT / "exercises" / src.name
        text = render(src)
        if check:
            if not dst.exists() or dst.read_text(encoding="utf-8") != text:
                stale.append(dst.name)
        else:
            dst.write_text(text, encoding="utf-8")
            print(f"écrit : exercises/{dst.name}")
    orphans = {p.name for p in (ROOT / "exercises").glob("[0-9]*.ipynb")} - {
        p.name for p in (ROOT / "solutions").glob("[0-9]*.ipynb")}
    if check and (stale or orphans):
        for name in stale:
            print(f"exercises/{name} n'est pas à jour : lancez `make exercises`.")
        for name in sorted(orphans):
            print(f"exercises/{name} n'a pas de corrigé dans solutions/.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
