"""JupyterLab's French UI, in the real browser: no English string, and every menu path the course names.

- Every menu path written in the course (« Noyau → Redémarrer le noyau et Exécuter toutes
  les cellules… » in README.md, the notebooks, ``crmlab``'s messages…) is found in the text
  files and looked up, label by label, in the real menus: a JupyterLab or language-pack bump
  that renames an item fails here, with the labels that exist.
- The menus, the status bar, the notebook toolbar, the file browser (toolbar and context
  menus) and the kernel dialogs show no English: a visible string is English when the
  language pack translates it (it is one of the pack's English sources) or when it holds an
  English UI word.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pytest

from test_student_path import menu

ROOT = Path(__file__).resolve().parents[2]
TOP_MENUS = ["Fichier", "Édition", "Affichage", "Exécution", "Noyau", "Onglets", "Paramètres", "Aide"]

# ------------------------------------------------------------------ menu paths named by the course

# « Noyau → Redémarrer le noyau… »: a capitalised word, then labels after arrows, up to a delimiter
_PATH = re.compile(r"(?<![\w\-'’])([A-ZÉ][a-zéèêàç]+(?:[ \t]*→[ \t]*[^→*«»\"`|;()\n]+)+)")


def _course_texts() -> dict[str, str]:
    """Every text a student may read: README and data docs, notebooks, ``crmlab``'s sources."""
    out = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "datasets").glob("*.md"))]:
        out[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
    for folder in ("notebooks", "exercises", "solutions"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            out[path.relative_to(ROOT).as_posix()] = "\n".join("".join(c["source"]) for c in cells)
    for path in sorted((ROOT / "crmlab").rglob("*.py")):
        out[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
    return out


def course_menu_paths() -> dict[tuple[str, ...], list[str]]:
    """``{("Noyau", "Redémarrer le noyau…"): [files that name it]}``."""
    found: dict[tuple[str, ...], list[str]] = {}
    for name, text in _course_texts().items():
        for match in _PATH.finditer(text):
            parts = tuple(p.strip().rstrip(".,:").strip() for p in match.group(1).split("→"))
            if all(p[:1].isupper() for p in parts):
                found.setdefault(parts, []).append(name)
    return found


PATHS = course_menu_paths()


_LABELS = "menu => Array.from(menu.querySelectorAll('.lm-Menu-itemLabel'), e => e.textContent.trim())"


@pytest.fixture(scope="module")
def menus(page) -> dict[tuple[str, ...], list[str]]:
    """The real menus while a notebook is open: ``{(top, [submenu]): [item labels]}``."""
    tree: dict[tuple[str, ...], list[str]] = {}
    page.locator("#jp-main-dock-panel .jp-NotebookPanel .jp-Notebook").first.click()
    for top in page.locator(".lm-MenuBar-itemLabel").all_inner_texts():
        menu(page, top)
        level0, level1 = page.locator(".lm-Menu").nth(0), page.locator(".lm-Menu").nth(1)
        tree[(top,)] = level0.evaluate(_LABELS)
        subs = level0.locator(".lm-Menu-item[data-type='submenu']")
        for i in range(subs.count()):
            subs.nth(i).hover()            # the item becomes the active one…
            page.keyboard.press("ArrowRight")  # …and its submenu opens at once
            level1.wait_for()
            label = subs.nth(i).locator(".lm-Menu-itemLabel").inner_text()
            tree[(top, label)] = level1.evaluate(_LABELS)
            page.keyboard.press("ArrowLeft")
            level1.wait_for(state="detached")
        page.keyboard.press("Escape")
        level0.wait_for(state="detached")
    return {key: [label for label in labels if label] for key, labels in tree.items()}


def test_the_course_names_menu_paths():
    # the scanner finds what README and chapter 00 teach, so the test below cannot pass empty
    assert len(PATHS) >= 3, PATHS
    assert any(files for path, files in PATHS.items() if "README.md" in files)


@pytest.mark.parametrize("path", [pytest.param(p, id=" → ".join(p)) for p in sorted(PATHS)])
def test_every_menu_path_the_course_names_exists(menus, path):
    where = ", ".join(PATHS[path])
    assert (path[0],) in menus, f"« {' → '.join(path)} » ({where}) : pas de menu « {path[0]} » ; menus : {TOP_MENUS}"
    for depth in range(1, len(path)):
        labels = menus.get(path[:depth], [])
        assert path[depth] in labels, (
            f"« {' → '.join(path)} » ({where}) : « {path[depth]} » n'est pas dans "
            f"« {' → '.join(path[:depth])} », qui contient : {labels}")


# ------------------------------------------------------------------ no English

# Menus listing names that are not UI text: programming languages, language names, file paths.
NAME_LISTS = {("Affichage", "Coloration syntaxique de l'éditeur de texte"), ("Paramètres", "Langue"),
              ("Fichier", "Ouvrir l’élément récent")}
ENGLISH_WORDS = re.compile(
    r"\b(?:show|hide|open|close|save|cells?|kernels?|run|running|settings|help|view|files?|edit|enable|disable|"
    r"select|render|licenses|references?|restart|shut|down|area|more|commands?|with|without|the|and|of|to|for|"
    r"new|tabs?|window|untitled|debugger|interrupt|clear|outputs?|launcher|toolbar|change|copy|paste|delete|"
    r"rename|download|upload|refresh|folder|notebook (?:kernel|trusted)|trusted|idle|busy|starting)\b",
    re.IGNORECASE)
SHORTCUT = re.compile(r"\s*\((?:[^()]*\+[^()]*|.)\)$")  # « … (Ctrl+S) », « … (B) »


def _english_sources() -> set[str]:
    """The English strings the French pack translates into something else."""
    import jupyterlab_language_pack_fr_FR as pack

    catalog = Path(pack.__file__).parent / "locale" / "fr_FR" / "LC_MESSAGES" / "jupyterlab.json"
    english = set()
    for msgid, translations in json.loads(catalog.read_text(encoding="utf-8")).items():
        source = msgid.split("\x04")[-1].strip()
        if msgid and translations and translations[0].strip() != source and len(source) > 2:
            english.add(source)
    return english


def english(strings: list[str]) -> list[str]:
    sources = _english_sources()
    found = []
    for s in strings:
        text = SHORTCUT.sub("", s.strip())
        if text and (text in sources or ENGLISH_WORDS.search(text)):
            found.append(s)
    return sorted(set(found))


_VISIBLE_STRINGS = """(selector) => {
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let n = root; n; n = walker.nextNode()) {
      if (!n.getClientRects().length || getComputedStyle(n).visibility === 'hidden') continue;
      const title = n.getAttribute('title');
      if (title) out.push(title);
      if (n.tagName === 'SELECT') for (const o of n.options) out.push(o.textContent.trim());
      for (const t of n.childNodes) if (t.nodeType === 3 && t.textContent.trim()) out.push(t.textContent.trim());
    }
  }
  return out;
}"""


def visible_strings(page, selector: str) -> list[str]:
    """Texts and tooltips of the visible elements under ``selector``."""
    return page.evaluate(_VISIBLE_STRINGS, selector)


def _menu_labels(page) -> list[str]:
    return [label.inner_text() for label in page.locator(".lm-Menu").last.locator(".lm-Menu-itemLabel").all()]


def test_no_english_in_menus(menus):
    labels = [label for key, labels in menus.items() if key not in NAME_LISTS for label in labels]
    assert len(labels) > 100
    assert english(labels) == []


def test_no_english_in_the_status_bar_and_the_notebook_toolbar(page):
    strings = visible_strings(page, "#jp-main-statusbar")
    strings += visible_strings(page, "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar")
    assert "Mode : Commande" in strings or "Mode : Édition" in strings, strings
    assert english(strings) == []


def test_no_english_in_the_file_browser_and_its_context_menus(page):
    page.locator("#filebrowser .jp-BreadCrumbs-home").click()
    listing = page.locator("#filebrowser .jp-DirListing-item")
    listing.filter(has_text="README.md").wait_for()
    strings = visible_strings(page, "#filebrowser .jp-Toolbar, #filebrowser .jp-DirListing-header")
    for name in ("README.md", "notebooks"):  # a file, a folder
        listing.filter(has=page.locator(".jp-DirListing-itemText", has_text=re.compile(
            f"^{re.escape(name)}$"))).click(button="right")
        strings += _menu_labels(page)
        page.keyboard.press("Escape")
    content = page.locator("#filebrowser .jp-DirListing-content")
    content.click(button="right", position={"x": 40, "y": content.bounding_box()["height"] - 5})  # empty area
    strings += _menu_labels(page)
    page.keyboard.press("Escape")
    assert len(strings) > 15, strings
    assert english(strings) == []


@pytest.mark.parametrize("item", ["Redémarrer le noyau…", "Redémarrer le noyau et Exécuter toutes les cellules…",
                                  "Changer de noyau…"])
def test_no_english_in_the_kernel_dialogs(page, item):
    page.locator("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").click()
    menu(page, "Noyau", item)
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for()
    strings = visible_strings(page, ".jp-Dialog")
    page.keyboard.press("Escape")  # cancel: the kernel is not touched
    dialog.wait_for(state="detached")
    assert len(strings) >= 3, strings
    assert english(strings) == []


def test_the_english_detector_catches_what_the_pack_leaves_in_english():
    # strings seen in JupyterLab 4.5 with the pack, before the course's settings turned them off
    assert english(["Render with Voilà", "Open With", "Licenses", "Enable Debugger", "Python Reference",
                    "Select a kernel that supports debugging to enable debugger"]) == sorted(
        ["Render with Voilà", "Open With", "Licenses", "Enable Debugger", "Python Reference",
         "Select a kernel that supports debugging to enable debugger"])
    assert english(["Redémarrer le noyau…", "Exécuter cette cellule et avancer (Shift+Enter)", "Mode : Commande",
                    "Python 3 (ipykernel) | Inactif", "Li 1, Col 1", "Simple", "Code", "Markdown", "Brut",
                    "Nouveau notebook", "Référence pandas"]) == []
