"""What a reader sees: the executed notebooks and the tour, rendered by JupyterLab in a real browser.

JupyterLab is started on a loopback port with a random token, serving a scratch folder that holds
copies of the executed notebooks and the tour at the `smoke` preset; headless Chromium from the
operating system's packages (`/usr/bin/chromium`, which `.ci/run` installs where it is absent) is
driven by Playwright (the PyPI package, pointed at that browser). Screenshots go to SCREENSHOTS
(printed; `logs/browser` by default, or $SYMLA_SCREENSHOTS) so that a person can look.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import papermill
import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "notebooks" / "executed"
CHROMIUM = os.environ.get("SYMLA_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("SYMLA_SCREENSHOTS", ROOT / "logs" / "browser"))
TRACEBACK = "Traceback (most recent call last)"
# JupyterLab renders every cell (no windowing), so that all outputs are in the page at once
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # no news or update toasts over the screenshots (and no requests to the outside)
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def _figures(name: str) -> int:
    """How many PNG figures the executed notebook `name` records in its outputs record."""
    record = json.loads((ROOT / "results" / "outputs" / f"{name}.json").read_text())
    return sum(1 for f in record["files"] if f.endswith(".png"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on 127.0.0.1 serving tmp_path/"lab" (the executed notebooks, the tour
    at the smoke preset): yields (base URL, token); stopped at the end."""
    root = tmp_path / "lab"
    shutil.copytree(EXECUTED, root / "executed", ignore=shutil.ignore_patterns("standard", ".*"))
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "tour.ipynb"), str(root / "tour_smoke.ipynb"),
        parameters={"preset": "smoke"}, prepare_only=True, kernel_name="python3",
    )  # fmt: skip
    settings = tmp_path / "settings"
    for rel, values in SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", "--allow-root",
        "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), MPLBACKEND="Agg")
    log = (tmp_path / "lab.log").open("wb")
    server = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((tmp_path / "lab.log").read_text()) from None
                time.sleep(0.25)
        else:
            raise TimeoutError(f"JupyterLab did not answer on {base}")
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _api(base: str, token: str, path: str, method: str = "GET", timeout: float = 120):
    """The server's JSON answer to `method` on /api/<path> (None for an empty one). Asked again
    while it answers 500: jupyter_server fails to list its kernels while one it is starting has no
    `last_activity` yet (a notebook just opened starts one). A kernel already gone is not an error
    to shut down. `timeout` only guards against a hang."""
    end = time.monotonic() + timeout
    while True:
        req = urllib.request.Request(f"{base}/api/{path}?token={token}", method=method)
        try:
            with urllib.request.urlopen(req) as answer:
                body = answer.read()
            return json.loads(body) if body else None
        except urllib.error.HTTPError as e:
            if e.code == 404 and method == "DELETE":
                return None
            if e.code != 500 or time.monotonic() > end:
                raise
            time.sleep(0.25)


def _kernels_down(base: str, token: str) -> None:
    """Shut down every kernel the opened notebooks started."""
    for k in _api(base, token, "kernels"):
        _api(base, token, f"kernels/{k['id']}", method="DELETE")


def _kernels_idle(base: str, token: str, timeout: float = 120) -> None:
    """Wait until at least one kernel runs and every kernel is idle."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        kernels = _api(base, token, "kernels")
        if kernels and all(k["execution_state"] == "idle" for k in kernels):
            return
        time.sleep(0.5)
    raise TimeoutError(f"kernels not idle after {timeout} s: {kernels}")


def _open(page, base: str, token: str, path: str) -> None:
    page.goto(f"{base}/lab/tree/{path}?reset&token={token}")  # reset: no other open document
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=120_000)
    page.wait_for_load_state("networkidle")


def _outputs(page) -> dict:
    """What the open notebook shows: rendered images (loaded, non-empty) and tracebacks."""
    return page.evaluate(
        """() => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            const imgs = [...panel.querySelectorAll('.jp-OutputArea-output img')];
            const text = [...panel.querySelectorAll('.jp-OutputArea-output')].map(o => o.innerText);
            return {
                images: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
                widgetImages: [...panel.querySelectorAll('.widget-output img')]
                    .filter(i => i.complete && i.naturalWidth > 0).map(i => i.src),
                tracebacks: text.filter(t => t.includes('TRACEBACK')).length,
                running: [...panel.querySelectorAll('.jp-InputPrompt')]
                    .filter(p => p.innerText.includes('*')).length,
                cells: panel.querySelectorAll('.jp-CodeCell').length,
                counted: [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                    .filter(p => /\\[\\d+\\]/.test(p.innerText)).length,
            };
        }""".replace("TRACEBACK", TRACEBACK)
    )


@pytest.mark.heavy
def test_notebooks_render_in_jupyterlab_and_the_tour_runs_from_its_menu(lab):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    base, token = lab
    shots = SCREENSHOTS
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    print(f"browser test screenshots: {shots}")
    names = sorted(p.stem for p in EXECUTED.glob("*.ipynb"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for name in names:  # every executed notebook: its figures, no error
            _open(page, base, token, f"executed/{name}.ipynb")
            page.wait_for_function(
                "n => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
                ".jp-OutputArea-output img')].filter(i => i.complete && i.naturalWidth > 0)"
                ".length >= n",
                arg=_figures(name), timeout=60_000,
            )  # fmt: skip
            seen = _outputs(page)
            if _figures(name):
                page.locator(".jp-OutputArea-output img").first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / f"{name}.png"))  # at its first figure
            assert seen["images"] >= _figures(name), (name, seen)
            assert seen["tracebacks"] == 0, (name, seen)
            _kernels_down(base, token)

        # the tour at the smoke preset, run by a reader: Run > Run All Cells
        _open(page, base, token, "tour_smoke.ipynb")
        _kernels_idle(base, token)
        page.click(".lm-MenuBar-item:has-text('Run')")
        page.click(".lm-Menu-item:has-text('Run All Cells')")
        page.wait_for_function(
            """() => {
                const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
                const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.innerText));
            }""",
            timeout=480_000,
        )
        page.wait_for_load_state("networkidle")
        ran = _outputs(page)
        page.screenshot(path=str(shots / "tour_run_all.png"))
        assert ran["tracebacks"] == 0 and ran["counted"] == ran["cells"], ran
        # its figures, and the explorer's output area empty until a control moves
        assert ran["images"] >= _figures("tour") and ran["widgetImages"] == [], ran
        # the meta-training progress bar is a widget, with no "IProgress not found" warning
        assert page.locator(".widget-hprogress").count() >= 1
        assert "IProgress" not in page.locator(".jp-NotebookPanel").inner_text()

        # the explorer: one control moved, the lifetime redrawn below it
        slider = page.locator(".widget-slider:has-text('arms') .noUi-handle")
        slider.focus()
        page.keyboard.press("ArrowRight")  # 2 arms -> 3
        page.wait_for_selector(".widget-output img", timeout=120_000)
        first = _outputs(page)["widgetImages"]
        page.locator(".widget-checkbox input").click()  # permute the actions
        page.wait_for_function(
            "n => { const i = [...document.querySelectorAll('.widget-output img')];"
            " return i.length === 1 && i[0].complete && i[0].src !== n; }",
            arg=first[0], timeout=120_000,
        )  # fmt: skip
        page.locator(".widget-output").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "tour_explorer_moved.png"))
        assert len(first) == 1
        browser.close()


def test_api_asks_again_while_the_server_answers_500_and_a_gone_kernel_is_shut_down():
    import http.server
    import threading

    answers = {"GET": [500, 500, 200], "DELETE": [404], "PATCH": [403]}
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self):
            seen.append((self.command, self.path))
            code = answers[self.command].pop(0)
            body = b'[{"id": "k"}]' if code == 200 else b""
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_DELETE = do_PATCH = answer

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert _api(base, "t", "kernels") == [{"id": "k"}]
        assert seen == [("GET", "/api/kernels?token=t")] * 3
        assert _api(base, "t", "kernels/k", method="DELETE") is None
        with pytest.raises(urllib.error.HTTPError, match="403"):
            _api(base, "t", "kernels/k", method="PATCH")
    finally:
        server.shutdown()
        server.server_close()  # the listening socket too, not only the serving thread
