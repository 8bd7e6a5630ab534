"""Build the course website from the stored, executed notebooks: ``make site`` → ``_build/site/``.

Nothing is executed and nothing is downloaded. The sources stay where they are; this
script lays out a Sphinx source tree in ``_build/site-src/`` that mirrors the repository
(``notebooks/``, ``exercises/``, ``solutions/``, ``instructor/``, ``datasets/README.md``,
``docs/conventions.md``; ``README.md`` becomes the home page), found by globbing, so a new
chapter appears without editing anything here. On the way it:

- adds to each chapter's pages a box linking lesson, exercises, solution and instructor
  notes, and a hidden toctree that nests them under the lesson in the navigation;
- rewrites the links to repository files the site does not carry (``LICENSE``,
  ``bench/RESULTS.md``…) to the repository's web address (``REPOSITORY_URL`` in
  ``website/conf.py``, its only place), and links to ``README.md`` to the home page;
- turns each saved widget view into static HTML drawn from the widget state stored in
  the notebook (sliders and menus at their saved values, the saved figure): the page
  needs no widget manager, no JavaScript and no network;
- copies MathJax 3 (from the pinned ``sphinx-mathjax-offline`` wheel, unmodified) into
  ``_static/mathjax``, so formulas render offline, from a local server or from disk.

Usage: python website/build.py [--out DIR] [--quiet]
Prints Sphinx's warnings; exits non-zero on a Sphinx error.
"""

from __future__ import annotations

import argparse
import html
import importlib.metadata
import json
import re
import runpy
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "website"
OUT = ROOT / "_build" / "site"      # the sources go next to it: _build/site-src, _build/site-doctrees

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)(\s+\"[^\"]*\")?\)")
# combined MathJax bundles the site does not load (it loads tex-svg.js and what it lazy-loads)
MATHJAX_UNUSED = re.compile(r"^(tex-chtml.*|tex-mml-.*|mml-.*|tex-svg-full|node-main)\.js$")


# ================================================================== the chapters
def chapters(root: Path = ROOT) -> list[dict[str, Path | str | None]]:
    """One entry per lesson ``notebooks/NN_*.ipynb``: its exercises, solution and notes if present."""
    found = []
    for lesson in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nn = lesson.name[:2]

        def first(folder: str, pattern: str) -> Path | None:
            hits = sorted((root / folder).glob(pattern))
            return hits[0] if hits else None

        found.append({
            "nn": nn, "lesson": lesson,
            "exercises": first("exercises", f"{nn}_*.ipynb"),
            "solutions": first("solutions", f"{nn}_*.ipynb"),
            "instructor": first("instructor", f"{nn}_*.md") or first("instructor", f"{nn}.md"),
        })
    return found


def notebook_title(path: Path) -> str:
    """The first heading of a notebook (what Sphinx takes as the page title)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            m = re.search(r"^#\s+(.+?)\s*$", "".join(cell["source"]), flags=re.M)
            if m:
                return m.group(1)
    return path.stem


# ===================================================================== the links
def rewrite_links(text: str, source: Path, pages: set[Path], repo_url: str) -> str:
    """Make the Markdown links of ``source`` (a repository file) work on the site.

    A link to a page the site carries stays relative (the tree mirrors the repository);
    ``README.md`` becomes the home page; any other repository file becomes its address
    on the repository's web page. External links and anchors are left alone.
    """
    def fix(m: re.Match) -> str:
        opening, target, title = m.group(1), m.group(2), m.group(3) or ""
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, flags=re.I) or target.startswith("#"):
            return m.group(0)
        path, _, anchor = target.partition("#")
        resolved = (source.parent / path).resolve()
        if not resolved.is_relative_to(ROOT):
            return m.group(0)
        if resolved == ROOT / "README.md":
            new = _relative(source, ROOT / "index.md")
        elif resolved in pages:
            return m.group(0)
        elif resolved.exists():
            kind = "tree" if resolved.is_dir() else "blob"
            new = f"{repo_url}/{kind}/HEAD/{resolved.relative_to(ROOT).as_posix()}"
        else:
            return m.group(0)  # a broken link: Sphinx reports it
        return f"{opening}{new}{'#' + anchor if anchor else ''}{title})"

    return LINK.sub(fix, text)


def plain_fences(text: str) -> str:
    """Mermaid diagrams (drawn by GitHub and JupyterLab) are shown as their text: no Mermaid offline."""
    return re.sub(r"^(\s*)```mermaid\s*$", r"\1```text", text, flags=re.M)


def _relative(source: Path, target: Path) -> str:
    import os

    return Path(os.path.relpath(target, source.parent)).as_posix()


# =================================================================== the widgets
def _ref(state: dict, value) -> dict | None:
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return state.get(value[len("IPY_MODEL_"):])
    return None


def _label(model: dict) -> str:
    s = model["state"]
    text = s.get("description") or ""
    if not text:
        return ""
    body = text if s.get("description_allow_html") else html.escape(text)
    return f'<span class="crmlab-w-label">{body}</span>'


def _options(s: dict) -> list[str]:
    return [str(o) for o in s.get("_options_labels") or s.get("options") or []]


def _number(value, fmt: str | None) -> str:
    if isinstance(value, float):
        m = re.search(r"\.(\d+)f", fmt or "")
        return f"{value:.{int(m.group(1)) if m else 2}f}".replace(".", ",")
    return html.escape(str(value))


def render_widget(state: dict, model: dict | None, depth: int = 0) -> str:
    """Static HTML for one saved widget model and its children (values as saved)."""
    if model is None or depth > 20:
        return ""
    s, name = model.get("state", {}), model.get("model_name", "")
    layout = _ref(state, s.get("layout")) or {"state": {}}
    if (layout["state"].get("display") or "") == "none" or (layout["state"].get("visibility") or "") == "hidden":
        return ""

    def kids() -> str:
        return "".join(render_widget(state, _ref(state, c), depth + 1) for c in s.get("children", []))

    if name in ("HBoxModel",):
        return f'<div class="crmlab-w-hbox">{kids()}</div>'
    if name in ("VBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel", "StackModel"):
        return f'<div class="crmlab-w-vbox">{kids()}</div>'
    if name in ("IntSliderModel", "FloatSliderModel", "FloatLogSliderModel", "SelectionSliderModel",
                "IntRangeSliderModel", "FloatRangeSliderModel", "SelectionRangeSliderModel"):
        if name.startswith("Selection"):
            labels = _options(s)
            index = s.get("index")
            idx = list(index) if isinstance(index, (list, tuple)) else [index]
            shown = " – ".join(html.escape(labels[i]) for i in idx if isinstance(i, int) and 0 <= i < len(labels))
            lo, hi, step, value = 0, max(len(labels) - 1, 0), 1, idx[0] if idx and idx[0] is not None else 0
        else:
            value = s.get("value")
            vals = list(value) if isinstance(value, (list, tuple)) else [value]
            shown = " – ".join(_number(v, s.get("readout_format")) for v in vals)
            lo, hi, step, value = s.get("min", 0), s.get("max", 100), s.get("step", 1), vals[0]
        readout = f'<span class="crmlab-w-readout">{shown}</span>' if s.get("readout", True) else ""
        return (f'<div class="crmlab-w-control">{_label(model)}<input type="range" disabled '
                f'min="{html.escape(str(lo))}" max="{html.escape(str(hi))}" step="{html.escape(str(step))}" '
                f'value="{html.escape(str(value))}" aria-label="{html.escape(s.get("description") or name)}">'
                f"{readout}</div>")
    if name in ("DropdownModel", "SelectModel", "RadioButtonsModel", "ToggleButtonsModel", "SelectMultipleModel"):
        labels, index = _options(s), s.get("index")
        chosen = set(index) if isinstance(index, (list, tuple)) else {index}
        options = "".join(f"<option{' selected' if i in chosen else ''}>{html.escape(lab)}</option>"
                          for i, lab in enumerate(labels))
        return (f'<div class="crmlab-w-control">{_label(model)}<select disabled '
                f'aria-label="{html.escape(s.get("description") or name)}">{options}</select></div>')
    if name in ("CheckboxModel", "ToggleButtonModel"):
        checked = " checked" if s.get("value") else ""
        return (f'<div class="crmlab-w-control"><label><input type="checkbox" disabled{checked}> '
                f"{html.escape(s.get('description') or '')}</label></div>")
    if name in ("HTMLModel", "HTMLMathModel"):
        return f'<div class="crmlab-w-control">{_label(model)}<div class="crmlab-w-html">{s.get("value") or ""}</div></div>'
    if name == "LabelModel":
        return f'<div class="crmlab-w-control">{html.escape(str(s.get("value") or ""))}</div>'
    if name in ("TextModel", "TextareaModel", "IntTextModel", "FloatTextModel", "BoundedIntTextModel",
                "BoundedFloatTextModel", "PasswordModel", "ComboboxModel", "DatePickerModel"):
        return (f'<div class="crmlab-w-control">{_label(model)}<input type="text" disabled '
                f'value="{html.escape(str(s.get("value") or ""))}"></div>')
    if name == "ButtonModel":
        return f'<div class="crmlab-w-control"><button disabled>{html.escape(s.get("description") or "")}</button></div>'
    if name == "ImageModel":
        data = next((b["data"] for b in model.get("buffers", []) if b.get("path") == ["value"]), None)
        if data is None:
            return ""
        fmt = s.get("format") or "png"
        mime = "image/svg+xml" if fmt == "svg+xml" else f"image/{fmt}"
        size = "".join(f' {k}="{html.escape(str(s[k]))}"' for k in ("width", "height") if s.get(k))
        return f'<img class="crmlab-w-image" src="data:{mime};base64,{data}"{size} alt="figure du widget">'
    if name == "OutputModel":
        return f'<div class="crmlab-w-output">{"".join(_output_html(o) for o in s.get("outputs", []))}</div>'
    if name.endswith("StyleModel") or name == "LayoutModel":
        return ""
    return f'<div class="crmlab-w-control crmlab-w-other">{_label(model) or html.escape(name[:-5])}</div>'


def _output_html(output: dict) -> str:
    if output.get("output_type") == "stream":
        return f"<pre>{html.escape(''.join(output.get('text', '')))}</pre>"
    data = output.get("data", {})
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            return f'<img class="crmlab-w-image" src="data:{mime};base64,{"".join(data[mime]).strip()}" alt="figure">'
    if "image/svg+xml" in data:
        return "".join(data["image/svg+xml"])
    if "text/html" in data:
        return "".join(data["text/html"])
    if "text/plain" in data:
        return f"<pre>{html.escape(''.join(data['text/plain']))}</pre>"
    return ""


WIDGET_NOTE = ("Vue enregistrée du widget, à ses réglages par défaut. Pour déplacer les curseurs, "
               "ouvrez ce notebook dans JupyterLab (bouton de lancement en haut de la page).")


def static_widgets(nb: dict) -> int:
    """Replace every widget view of ``nb`` by its static HTML; drop the widget state. Returns the count."""
    state = nb.get("metadata", {}).pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    count = 0
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            view = data.pop(WIDGET_VIEW)
            body = render_widget(state, state.get(view.get("model_id", "")))
            if body:
                data.pop("text/plain", None)
                data["text/html"] = (f'<div class="crmlab-widget-static">{body}'
                                     f'<p class="crmlab-widget-note">{WIDGET_NOTE}</p></div>')
                count += 1
    return count


# ==================================================================== the pages
def chapter_box(ch: dict, here: str) -> str:
    """The Markdown box linking a chapter's lesson, exercises, solution and instructor notes.

    ``here`` is the kind of the page that shows it (``"lesson"``, ``"exercises"``…).
    """
    parts = []
    labels = {"lesson": "le cours", "exercises": "les exercices", "solutions": "le corrigé",
              "instructor": "les notes pour l'enseignant"}
    for key, label in labels.items():
        path = ch.get(key)
        if path is None:
            continue
        if key == here:
            parts.append(f"**{label}** (cette page)")
        else:
            parts.append(f"[{label}]({_relative(ch[here], path)})")
    launch = "" if here == "instructor" else (
        "\n\nPour exécuter ce notebook et déplacer ses widgets : bouton de lancement (la fusée) en haut "
        "de la page, qui l'ouvre dans JupyterLab sur Binder, à la racine du cours.")
    return (f"```{{admonition}} Chapitre {ch['nn']}\n:class: note\n" + " · ".join(parts)[:1].upper()
            + " · ".join(parts)[1:] + launch + "\n```")


def hidden_toctree(entries: list[str], caption: str | None = None) -> str:
    caption_line = f":caption: {caption}\n" if caption else ""
    return "```{toctree}\n:hidden:\n" + caption_line + "\n".join(entries) + "\n```"


def write_notebook(src: Path, dst: Path, ch: dict, kind: str, pages: set[Path], repo_url: str) -> int:
    """Write the site's copy of a notebook: links fixed, widgets static, chapter box added."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    widgets = static_widgets(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = plain_fences(rewrite_links("".join(cell["source"]), src, pages, repo_url))
    extra = [chapter_box(ch, kind)]
    if kind == "lesson":
        children = [f"{label} </{ch[k].relative_to(ROOT).with_suffix('').as_posix()}>"
                    for k, label in (("exercises", "Exercices"), ("solutions", "Corrigé"),
                                     ("instructor", "Notes pour l'enseignant")) if ch.get(k)]
        if children:
            extra.append(hidden_toctree(children))
    first = next((i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"), -1)
    if kind == "solutions" and first >= 0:  # its title is the exercises' one: say which page this is
        nb["cells"][first]["source"] = re.sub(
            r"^(#\s+.*?)\bExercices\b|^#\s+(?!.*\bExercices\b)",
            lambda m: f"{m.group(1)}Corrigé des exercices" if m.group(1) is not None else "# Corrigé — ",
            nb["cells"][first]["source"], count=1, flags=re.M)
    for offset, text in enumerate(extra, 1):
        nb["cells"].insert(first + offset, {"cell_type": "markdown", "id": f"crmlab-site-{offset}",
                                            "metadata": {}, "source": text})
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return widgets


def home_page(readme: str, chs: list[dict], others: list[Path]) -> str:
    """README without its badge, then the site's hidden toctrees (chapters, references, teachers)."""
    text = re.sub(r"^\[!\[[^\n]*\n", "", readme, count=1, flags=re.M)
    text = re.sub(r"<!--.*?-->\n?", "", text, flags=re.S)
    trees = [hidden_toctree([ch["lesson"].relative_to(ROOT).with_suffix("").as_posix() for ch in chs],
                            "Chapitres"),
             hidden_toctree(["datasets/README", "docs/conventions"], "Références")]
    if others:
        trees.append(hidden_toctree([p.relative_to(ROOT).with_suffix("").as_posix() for p in others],
                                    "Pour les enseignants"))
    return text.rstrip() + "\n\n" + "\n\n".join(trees) + "\n"


def vendor_mathjax(static: Path) -> Path:
    """Copy MathJax 3 from the installed ``sphinx-mathjax-offline`` wheel into ``static/mathjax``."""
    dist = importlib.metadata.distribution("sphinx-mathjax-offline")
    entry = next((f for f in dist.files or [] if f.name == "tex-svg.js"), None)
    if entry is None:
        sys.exit("MathJax introuvable : lancez `make setup` (paquet sphinx-mathjax-offline).")
    source = Path(dist.locate_file(entry)).parent
    target = static / "mathjax"
    shutil.copytree(source, target, ignore=lambda d, names: [n for n in names if MATHJAX_UNUSED.match(n)
                                                             and Path(d) == source])
    return target


def generate(src: Path) -> dict[str, int]:
    """Lay out the Sphinx source tree in ``src``. Returns counts (pages, widgets)."""
    conf = runpy.run_path(str(HERE / "conf.py"))
    repo_url = conf["REPOSITORY_URL"]
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    chs = chapters()
    instructor_notes = sorted((ROOT / "instructor").glob("*.md"))
    in_chapters = {ch["instructor"] for ch in chs}
    md_pages = [ROOT / "docs" / "conventions.md", ROOT / "datasets" / "README.md", *instructor_notes]
    pages = {ROOT / "README.md", *md_pages}
    pages |= {p for ch in chs for k in ("lesson", "exercises", "solutions") if (p := ch[k]) is not None}
    counts = {"pages": 0, "widgets": 0}
    for ch in chs:
        for kind in ("lesson", "exercises", "solutions"):
            if ch[kind] is not None:
                counts["widgets"] += write_notebook(ch[kind], src / ch[kind].relative_to(ROOT), ch, kind,
                                                    pages, repo_url)
                counts["pages"] += 1
    by_note = {ch["instructor"]: ch for ch in chs if ch["instructor"]}
    for page in md_pages:
        text = plain_fences(rewrite_links(page.read_text(encoding="utf-8"), page, pages, repo_url))
        if page in by_note:
            title, _, rest = text.partition("\n")
            text = f"{title}\n\n{chapter_box(by_note[page], 'instructor')}\n{rest}"
        dst = src / page.relative_to(ROOT)
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(text, encoding="utf-8")
        counts["pages"] += 1
    readme = rewrite_links((ROOT / "README.md").read_text(encoding="utf-8"), ROOT / "README.md", pages, repo_url)
    (src / "index.md").write_text(home_page(readme, chs, [p for p in instructor_notes if p not in in_chapters]),
                                  encoding="utf-8")
    counts["pages"] += 1
    shutil.copy(HERE / "conf.py", src / "conf.py")
    shutil.copytree(HERE / "_static", src / "_static")
    vendor_mathjax(src / "_static")
    return counts


def build(out: Path = OUT, quiet: bool = False) -> int:
    """Generate the sources and run Sphinx (HTML, French). Returns Sphinx's exit status."""
    from sphinx.cmd.build import build_main

    start = time.monotonic()
    src, doctrees = out.with_name(f"{out.name}-src"), out.with_name(f"{out.name}-doctrees")
    counts = generate(src)
    if out.exists():
        shutil.rmtree(out)
    args = ["-b", "html", "-d", str(doctrees), "-E", str(src), str(out)] + (["-q"] if quiet else [])
    status = build_main(args)
    print(f"Site : {counts['pages']} pages, {counts['widgets']} widgets en vue statique, "
          f"{time.monotonic() - start:.0f} s → {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}"
          f"/index.html")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit le site du cours (sans exécuter les notebooks).")
    parser.add_argument("--out", type=Path, default=OUT, help="dossier du site (par défaut : _build/site)")
    parser.add_argument("--quiet", action="store_true", help="n'afficher que les avertissements")
    args = parser.parse_args(argv)
    return build(args.out.resolve(), args.quiet)


if __name__ == "__main__":
    sys.exit(main())
