"""JupyterLab started as the README starts it, and Debian's headless Chromium, for the browser tests.

- ``lab`` (session fixture): ``jupyter lab`` run from the repository root with the very
  arguments of the README's manual command (``readme_lab_args()``; a test checks that
  ``make lab`` passes the same), plus what a test needs: a free port, a token, no browser,
  throw-away settings / workspaces / runtime / config / data / checkpoint folders. Autosave
  is off in those throw-away settings, so a notebook run in the browser is never written
  back. The course's settings (French UI) are those ``make setup`` installs from
  ``jupyter-settings/``; the fixture checks they are installed and current, so the UI under
  test is the one students get.
- ``page``: a fresh Chromium profile, driven by Playwright through ``executable_path``
  (no browser is ever downloaded; ``playwright install`` is never needed).

Where Chromium or Playwright is missing, every test that needs a browser is skipped
and the reason is printed at the end of the run.

The widget tests bring their own launcher (``tests/browser/lab.py``); the two are to be
merged.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
# settings of the test server only: never write a notebook run in the browser back to disk
TEST_USER_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def readme_lab_args() -> list[str]:
    """The arguments after ``jupyter lab`` in the README's manual command (e.g. without ``make``)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^jupyter lab\b(.*)$", text, flags=re.MULTILINE)
    if not commands:
        raise AssertionError("README.md has no line starting with `jupyter lab`")
    return commands[0].split("#", 1)[0].split()


def browser_skip_reason() -> str | None:
    """Why the browser tests cannot run on this machine, or ``None`` when they can."""
    if not CHROMIUM.exists():
        return (f"Chromium absent ({CHROMIUM}) : tests en navigateur sautés "
                "(apt-get install chromium ; .ci/run l'installe).")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright absent : tests en navigateur sautés (pip install -r requirements.txt)."
    return None


_SKIPPED: list[str] = []


def pytest_collection_modifyitems(config, items):
    reason = browser_skip_reason()
    if reason is None:
        return
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.skip(reason=reason))
    if any("page" in getattr(item, "fixturenames", ()) for item in items):
        _SKIPPED.append(reason)


def pytest_terminal_summary(terminalreporter):
    for reason in _SKIPPED:
        terminalreporter.write_line(f"tests/browser : {reason}", yellow=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: where it listens, its token, and where its runtime files are."""

    url: str          # ends with "/"
    token: str
    runtime: Path
    pid: int
    log: Path

    def api(self, path: str):
        with urllib.request.urlopen(f"{self.url}api/{path}?token={self.token}", timeout=10) as r:
            return json.load(r)

    def open_file(self) -> Path:
        """The page ``make lab`` opens in the student's browser (it redirects to chapter 00)."""
        files = sorted(self.runtime.glob(f"jpserver-file-to-run-{self.pid}-open.html"))
        return files[0] if files else self.runtime / f"jpserver-{self.pid}-open.html"


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab started as the README starts it (repository root as cwd), stopped at the end."""
    from crmlab.check_env import settings_to_install

    if settings_to_install():
        pytest.fail(f"réglages du cours absents ou périmés dans {sys.prefix} ({settings_to_install()}) : "
                    "lancez `make setup` (ou python jupyter-settings/install.py).")
    tmp = tmp_path_factory.mktemp("lab")
    settings = tmp / "user-settings"
    for name, value in TEST_USER_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value), encoding="utf-8")
    env = dict(os.environ,
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"),
               JUPYTER_DATA_DIR=str(tmp / "data"),
               PYTHONDONTWRITEBYTECODE="1")
    port, token = _free_port(), secrets.token_hex(16)
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    cmd = [jupyter, "lab", *readme_lab_args(), "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", "--LabApp.news_url=",
           f"--FileCheckpoints.root_dir={tmp / 'checkpoints'}"]  # no .ipynb_checkpoints/ in the course
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root; students never do
    log = tmp / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}/", token, tmp / "runtime", proc.pid, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail("JupyterLab s'est arrêté au démarrage :\n" + log.read_text(errors="replace")[-3000:])
            try:
                server.api("status")
                if server.open_file().exists():
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("JupyterLab n'a pas répondu en 90 s :\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield server
    finally:
        # the server and the kernels it started are in their own process group
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # a kernel left behind, if any
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium with a fresh profile (one per test module)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="crmlab-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000}, locale="fr-FR")
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def page(browser, lab):
    """A Chromium tab on JupyterLab, opened where ``make lab`` opens it (chapter 00)."""
    page = browser.pages[0] if browser.pages else browser.new_page()
    # the address the page that make lab opens redirects to, plus « reset »: every test module
    # starts from a fresh workspace, as a student does, whatever the modules before left open
    url = re.search(r'url=([^"]+)"', lab.open_file().read_text(encoding="utf-8")).group(1)
    page.goto(html.unescape(url) + "&reset")
    page.wait_for_url(re.compile(r"/lab"), timeout=60_000)
    page.locator("#jp-main-dock-panel .jp-Notebook").first.wait_for(timeout=60_000)
    page.locator("#filebrowser .jp-DirListing-item").first.wait_for(timeout=60_000)
    return page
