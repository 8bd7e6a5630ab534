"""Start JupyterLab and a headless Chromium for the real-browser tests and the benchmark.

Shared by every browser test (and by ``bench/browser.py``)::

    from tests.browser.lab import running_lab, chromium_page, skip_reason

    with running_lab() as (base_url, token), chromium_page() as page:
        page.goto(f"{base_url}lab/tree/notebooks/00_prise_en_main.ipynb?token={token}")

- ``running_lab`` serves the repository root (as ``make lab`` does) on a free port,
  with a fresh token, and throw-away settings, workspaces and runtime folders:
  autosave is off, so a notebook run in the browser is never written back to disk.
  The course's own settings (French UI) still apply: they are the application's
  ``overrides.json``, installed by ``make setup``.
- ``chromium_page`` drives Debian's ``/usr/bin/chromium`` through Playwright (no browser
  is ever downloaded), headless, with a fresh profile.
- ``skip_reason()`` says in one sentence why the browser tests cannot run here, or
  returns ``None``.
- ``open_notebook`` / ``run_all`` / ``close_notebook`` / ``kernel_print`` drive a notebook
  through JupyterLab's own commands (the server exposes the application as
  ``window.jupyterapp`` for these tests).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
# user settings for the test server only (the course's overrides.json keeps the French UI)
TEST_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}


def skip_reason() -> str | None:
    """Why the browser tests cannot run on this machine (``None`` when they can)."""
    if not CHROMIUM.exists():
        return f"Chromium absent ({CHROMIUM}) : installez le paquet Debian « chromium » pour ces tests."
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright n'est pas installé (pip install -r requirements.txt)."
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        return "JupyterLab n'est pas installé dans cet environnement."
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_lab(root: Path = ROOT, timeout: float = 90.0, extra_args: tuple[str, ...] | list[str] = ()
                ) -> Iterator[tuple[str, str]]:
    """Run ``jupyter lab`` from ``root`` (the repository root by default), serving it; yield
    ``(base_url, token)``.

    ``base_url`` ends with ``/``. ``extra_args`` go to ``jupyter lab`` (e.g. the README's own
    arguments). Settings, workspaces, runtime, config, data and checkpoints live in a
    temporary folder: nothing is written in the course (autosave off, no
    ``.ipynb_checkpoints``). The server's log is shown if it fails to start. On exit the
    server and every kernel it started (its process group) are stopped.
    """
    port, token = free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="crmlab-lab-") as tmp:
        tmp_path = Path(tmp)
        settings = tmp_path / "settings"
        for name, value in TEST_SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(value), encoding="utf-8")
        env = dict(os.environ,
                   JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
                   JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
                   JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
                   JUPYTER_DATA_DIR=str(tmp_path / "data"),
                   PYTHONDONTWRITEBYTECODE="1")
        log_path = tmp_path / "lab.log"
        cmd = [str(Path(sys.executable).parent / "jupyter-lab"), *extra_args, "--no-browser",
               f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
               f"--FileCheckpoints.root_dir={tmp_path / 'checkpoints'}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers, CI runners
            cmd.append("--allow-root")
        with log_path.open("w") as log:
            proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        base_url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError("JupyterLab s'est arrêté au démarrage :\n"
                                       + log_path.read_text(errors="replace")[-3000:])
                try:
                    with urllib.request.urlopen(f"{base_url}api/status?token={token}", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("JupyterLab n'a pas répondu à temps :\n"
                                           + log_path.read_text(errors="replace")[-3000:])
                    time.sleep(0.3)
            yield base_url, token
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            try:  # a kernel left behind, if any (the server started them in its process group)
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000, locale: str = "fr-FR"):
    """A Playwright page in Debian's headless Chromium with a fresh profile."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="crmlab-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": width, "height": height}, locale=locale)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            yield page
        finally:
            context.close()


# ------------------------------------------------------------------ driving a notebook
def open_notebook(page, base_url: str, token: str, path: str, timeout_ms: int = 60_000) -> None:
    """Open ``path`` (relative to the server root) in JupyterLab and wait for its kernel."""
    # ``reset``: a fresh workspace, not the notebooks a previous page left open
    page.goto(f"{base_url}lab/tree/{path}?token={token}&reset", wait_until="domcontentloaded")
    page.wait_for_function("(path) => { const w = window.jupyterapp && window.jupyterapp.shell"
                           " && window.jupyterapp.shell.currentWidget;"
                           " return w && w.sessionContext && w.context && w.context.path === path; }",
                           arg=path, timeout=timeout_ms)
    page.evaluate("async () => { const w = window.jupyterapp.shell.currentWidget;"
                  " await w.context.ready; await w.sessionContext.ready; }")
    page.wait_for_function("() => { const s = window.jupyterapp.shell.currentWidget.sessionContext.session;"
                           " return s && s.kernel && s.kernel.connectionStatus === 'connected'; }",
                           timeout=timeout_ms)


def run_all(page, timeout_ms: int = 240_000) -> None:
    """Run every cell of the current notebook (JupyterLab's command) and wait until the kernel is idle."""
    page.evaluate("async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function("() => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;"
                           " return k && k.status === 'idle'; }", timeout=timeout_ms, polling=100)


def close_notebook(page) -> None:
    """Shut the current notebook's kernel down and close it without saving."""
    page.evaluate("async () => { const w = window.jupyterapp.shell.currentWidget;"
                  " if (!w) return; await w.sessionContext.shutdown(); w.context.model.dirty = false;"
                  " w.dispose(); }")


def kernel_print(page, code: str) -> str:
    """Run ``code`` in the current notebook's kernel (not stored in the notebook); return what it printed."""
    return page.evaluate(
        "async (code) => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;"
        " const f = k.requestExecute({code, silent: false, store_history: false}); let out = '';"
        " f.onIOPub = m => { if (m.header.msg_type === 'stream') out += m.content.text; };"
        " await f.done; return out; }", code)


def widget_cells(page) -> list[int]:
    """Indices of the current notebook's code cells that display a widget (after a run)."""
    return page.evaluate(
        "() => { const nb = window.jupyterapp.shell.currentWidget.content; const out = [];"
        " nb.widgets.forEach((cell, i) => { const m = cell.model;"
        "   if (m.type !== 'code') return; const o = m.outputs;"
        "   for (let j = 0; j < o.length; j++) {"
        "     if (o.get(j).data['application/vnd.jupyter.widget-view+json']) { out.push(i); break; } } });"
        " return out; }")


def show_cell(page, index: int):
    """Scroll cell ``index`` into view (JupyterLab renders only the cells near the view) and
    return a locator for it."""
    page.evaluate(
        "async (i) => { const nb = window.jupyterapp.shell.currentWidget.content;"
        " await nb.scrollToItem(i, 'center'); const node = nb.widgets[i].node;"
        " node.dataset.crmCell = String(i);"
        " for (let k = 0; k < 5; k++) {"  # estimated heights give way to real ones as cells render
        "   node.scrollIntoView({block: 'center'}); await new Promise(r => setTimeout(r, 200)); } }", index)
    cell = page.locator(f"[data-crm-cell='{index}']")
    cell.locator(".jupyter-widgets").first.wait_for(state="visible")
    return cell
