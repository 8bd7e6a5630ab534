"""Project-wide guarantees: pins in one place, a light import, the environment check, every
documented way to open the course (the repository root, chapter 00, the French settings), and
every relative link between the course's documents."""

import json
import re
import runpy
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

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


# ------------------------------------------------------------------ opening the course

def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_lab_commands() -> list[str]:
    return [line.split("#", 1)[0].strip() for line in _readme().splitlines() if line.startswith("jupyter lab")]


def test_the_readme_opens_the_course_root_on_chapter00_in_every_manual_way():
    commands = _readme_lab_commands()
    assert len(commands) >= 2, "README: one `jupyter lab …` line for pip / Windows, one for conda"
    assert len(set(commands)) == 1, commands
    args = commands[0].split()[2:]
    # the repository root is the server's root; without it `jupyter lab notebooks/x.ipynb` serves notebooks/
    assert "--notebook-dir=." in args
    chapter = [a for a in args if a.endswith(".ipynb")]
    assert chapter == ["notebooks/00_prise_en_main.ipynb"] and (ROOT / chapter[0]).is_file()
    lines, ok = check_env.report()
    if ok:  # the environment check ends with the same command
        assert commands[0] in "\n".join(lines)


def test_make_lab_runs_the_readme_command():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make absent")
    out = subprocess.run([make, "-n", "--no-print-directory", "lab", "LAB_ARGS=--no-browser"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    lab = [line.split() for line in out.splitlines() if " lab " in f" {line} " and "jupyter" in line]
    assert len(lab) == 1, out
    args = [a for a in lab[0][2:] if a != "--no-browser"]
    assert args == _readme_lab_commands()[0].split()[2:], (lab[0], _readme_lab_commands()[0])


def test_the_readme_documents_make_setup_and_the_settings_step():
    readme = _readme()
    assert re.search(r"^make setup\b", readme, flags=re.MULTILINE)
    # every manual way installs the course's JupyterLab settings before starting it
    for block in re.findall(r"```bash\n(.*?)```", readme, flags=re.DOTALL):
        if "jupyter lab" in block:
            assert "python jupyter-settings/install.py" in block, block


def test_binder_builds_the_course_and_opens_chapter00():
    post_build = (ROOT / "postBuild").read_text(encoding="utf-8")
    for step in ("pip install --no-deps --no-build-isolation -e .", "python -m crmlab.datasets build",
                 "python jupyter-settings/install.py"):
        assert step in post_build, step
    badge = re.search(r"mybinder\.org/v2/gh/[^)]*\?urlpath=lab/tree/([^)\s]+)\)", _readme())
    assert badge and (ROOT / badge.group(1)).is_file(), "the Binder badge opens chapter 00"


def test_the_settings_install_into_an_environment(tmp_path):
    installer = runpy.run_path(str(ROOT / "jupyter-settings" / "install.py"))
    assert len(installer["missing_or_different"](tmp_path)) == 3
    assert len(check_env.settings_to_install(tmp_path)) == 3
    installer["install"](tmp_path)
    assert installer["missing_or_different"](tmp_path) == []
    overrides = json.loads((tmp_path / "share/jupyter/lab/settings/overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "fr_FR"
    page_config = json.loads((tmp_path / "share/jupyter/lab/settings/page_config.json").read_text(encoding="utf-8"))
    assert "@voila-dashboards/jupyterlab-preview" in page_config["disabledExtensions"]
    config = _Config()
    exec((tmp_path / "etc/ipython/ipython_kernel_config.py").read_text(encoding="utf-8"), {"get_config": lambda: config})
    assert [link["text"].split()[0] for link in config.IPythonKernel.help_links] == ["Référence"] * 6


class _Config:
    """Just enough of traitlets' config object for ``c.IPythonKernel.help_links = …``."""

    def __getattr__(self, name):
        value = _Config()
        setattr(self, name, value)
        return value


# ------------------------------------------------------------------ links between documents

_FENCED = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)"
                   r"|^\s*\[[^\]]+\]:\s*<?(\S+?)>?\s*$"
                   r"|(?:href|src)\s*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)


def _documents() -> dict[Path, str]:
    """The Markdown a reader follows links from: README, the data docs, the instructor's notes, the
    notebooks' text cells."""
    docs = {ROOT / "README.md": _readme()}
    for path in [*sorted((ROOT / "datasets").glob("*.md")), *sorted((ROOT / "bench").glob("*.md")),
                 *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "instructor").glob("*.md"))]:
        docs[path] = path.read_text(encoding="utf-8")
    for folder in ("notebooks", "exercises", "solutions"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            docs[path] = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return docs


def _relative_links(text: str) -> list[str]:
    links = [next(g for g in m.groups() if g) for m in _LINK.finditer(_FENCED.sub("", text))]
    return [link for link in links if not re.match(r"^[a-z][a-z0-9+.-]*:", link, flags=re.IGNORECASE)]


def _anchors(path: Path, text: str) -> set[str]:
    """Heading anchors, as GitHub (Markdown files) and JupyterLab (notebooks) write them."""
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", _FENCED.sub("", text), flags=re.MULTILINE):
        anchors.add(re.sub(r"\s", "-", heading.strip()))                                 # JupyterLab
        anchors.add(re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-"))  # GitHub
    anchors.update(re.findall(r"""<a\s+(?:name|id)=["']([^"']+)["']""", text))
    return anchors


def test_every_relative_link_opens_its_target():
    docs = _documents()
    problems, checked = [], 0
    for source, text in docs.items():
        for link in _relative_links(text):
            checked += 1
            target, _, anchor = urllib.parse.unquote(link).partition("#")
            path = (source.parent / target).resolve() if target else source
            where = f"{source.relative_to(ROOT)} → {link}"
            if not path.is_relative_to(ROOT):
                problems.append(f"{where} : hors du dossier du cours (JupyterLab n'y accède pas)")
            elif not path.exists():
                problems.append(f"{where} : {path.relative_to(ROOT)} n'existe pas")
            elif anchor and path.suffix in (".md", ".ipynb"):
                target_text = docs.get(path) or path.read_text(encoding="utf-8")
                if anchor not in _anchors(path, target_text):
                    problems.append(f"{where} : pas de titre « #{anchor} » dans {path.relative_to(ROOT)}")
    assert checked >= 20, f"only {checked} relative links found: is the link pattern broken?"
    assert problems == [], "\n".join(problems)


def test_every_lesson_links_to_its_exercises_and_back():
    for lesson in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        exercise = ROOT / "exercises" / lesson.name
        if exercise.exists():
            assert f"../exercises/{lesson.name}" in _relative_links(_documents()[lesson]), lesson.name
            assert f"../notebooks/{lesson.name}" in _relative_links(_documents()[exercise]), exercise.name
