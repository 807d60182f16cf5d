"""The teaching page in a real browser, with every request off this machine blocked.

`zhaoshang ui` serves the page on a free port of 127.0.0.1; headless Chromium (Debian's
``/usr/bin/chromium``, driven by Playwright) opens it while a route aborts any request that is
not for 127.0.0.1 or localhost. The page must load, a slider must move, the model must step
and play, a chart must change, and nothing may have tried to reach the network. A screenshot
is written to the test's output folder (and to ``$ZHAOSHANG_SCREENSHOT`` if set).

Outside CI the test skips when Chromium or Playwright is missing; with ``CI=true`` it fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM as CHROMIUM_PATH
from tests.conftest import CHROMIUM_ARGS

CHROMIUM = Path(CHROMIUM_PATH)
ARGS = CHROMIUM_ARGS
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "ws://localhost")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

pytestmark = pytest.mark.browser


def require(condition: bool, why: str) -> None:
    """Skip outside CI, fail in CI, when something the test needs is missing."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{why} (CI=true: the browser test must run)")
        pytest.skip(why)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``zhaoshang ui`` on a free port, small settings; stopped (with its server) at the end."""
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "playwright is not installed")
    port = free_port()
    cmd = [
        sys.executable, "-m", "zhaoshang.experiments.cli", "ui", "--host", "127.0.0.1",
        "--port", str(port), "--set", "pool.firms=4000", "--set", "time.months=36",
    ]  # fmt: skip
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("w")  # a file, not a pipe: a full pipe would stall the server
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start: {log_path.read_text()}")
                time.sleep(0.3)
        announced = log_path.read_text().splitlines()[0]
        assert announced == f"Zhaoshang teaching page: {url}  (Ctrl+C to stop)"
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the command and the solara server it started
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def only_local(blocked: list[str]):
    """A Playwright route handler that lets requests for this machine through and aborts the
    rest, noting their addresses in ``blocked``."""

    def handle(route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_PREFIXES) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    return handle


def month_shown(page) -> int:
    text = page.locator(".v-card__title", has_text="Simulated through").first.inner_text()
    return int(text.split("(month ")[1].split(" ")[0])


def month_settled(page, window: float, seconds: float = 60.0) -> int:
    """The month shown once it stops changing: two readings ``window`` seconds apart agree.

    Pausing lets a step already under way finish and be drawn, which takes up to a month's
    time at play speed (the charts are slow to draw on a busy machine).
    """
    deadline = time.monotonic() + seconds
    shown = month_shown(page)
    while time.monotonic() < deadline:
        time.sleep(window)
        now = month_shown(page)
        if now == shown:
            return now
        shown = now
    raise AssertionError("the month kept changing after pause")


def chart_source(page) -> str:
    card = page.locator(".v-card", has_text="Attraction funnel")
    return card.locator("img").first.get_attribute("src") or ""


def test_page_works_offline(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    blocked: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            viewport={"width": 1500, "height": 2000}, service_workers="block"
        )
        context.route("**/*", only_local(blocked))
        page = context.new_page()
        page.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)  # a busy machine renders slowly
        page.goto(server)

        # The page loads: controls, the month as a date, the map and the charts.
        expect(page.get_by_text("Start: 2017-01, nothing simulated yet")).to_be_visible()
        expect(page.get_by_text("The city's parks")).to_be_visible()
        for label in ("Scenario", "Resident offices", "Service quality (0-1)"):
            expect(page.get_by_text(label, exact=True).first).to_be_visible()
        expect(page.locator(".v-card", has_text="Attraction funnel").locator("img")).to_be_visible()
        expect(page.get_by_text("reference, same month")).to_be_visible()

        # A slider moves, and Reset applies it.
        offices = page.locator(".v-input", has_text="Resident offices").locator("[role=slider]")
        assert offices.get_attribute("aria-valuenow") == "5"
        offices.focus()
        for _ in range(3):
            offices.press("ArrowRight")
        expect(offices).to_have_attribute("aria-valuenow", "8")
        page.get_by_role("button", name="Reset").click()
        levers = page.locator(".v-card", has_text="Levers in effect")
        expect(levers.locator("tr", has_text="Resident offices")).to_contain_text("your slider")
        expect(levers.locator("tr", has_text="Resident offices")).to_contain_text("8")

        # The model steps, the month is shown as a date, and the charts change.
        expect(page.get_by_text("seed 1: ready")).to_be_visible()  # the reference is drawn
        before = chart_source(page)
        page.get_by_role("button", name="Step").click()
        expect(page.get_by_text("Simulated through 2017-01 (month 1 of 36)")).to_be_visible()
        deadline = time.monotonic() + 30
        while chart_source(page) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert chart_source(page) != before, "the charts did not change after a step"

        # Play runs on by itself; pause stops it.
        started, first = time.monotonic(), month_shown(page)
        page.get_by_role("button", name="▶").click()
        deadline = time.monotonic() + 40
        while month_shown(page) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert month_shown(page) >= 3, "play did not advance the model"
        per_month = (time.monotonic() - started) / (month_shown(page) - first)  # at play speed
        page.get_by_role("button", name="❚❚").click()
        clicked = month_shown(page)
        expect(page.get_by_role("button", name="Step")).to_be_enabled()
        paused = month_settled(page, window=max(1.5, 2 * per_month))
        assert paused <= clicked + 2, "play went on after pause"  # a step under way may end
        time.sleep(max(2.0, 3 * per_month))  # playing on would show about three months more
        assert month_shown(page) == paused
        expect(page.locator(".v-card", has_text="What happened")).to_contain_text("2017-")

        shot = tmp_path / "teaching-page.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()

    assert shot.stat().st_size > 20_000
    extra = os.environ.get("ZHAOSHANG_SCREENSHOT")
    if extra:
        Path(extra).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, extra)
    assert blocked == [], f"the page tried to reach the network: {blocked}"


def test_page_switches_to_chinese(server, tmp_path):
    """中文: the cards, the sidebar, the charts and the feed are redrawn in Chinese, and back."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 2000})
        page.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)
        page.goto(server)
        expect(page.get_by_text("Start: 2017-01, nothing simulated yet")).to_be_visible()
        expect(page.get_by_text("seed 1: ready")).to_be_visible()
        english_chart = chart_source(page)

        page.get_by_role("button", name="中文").click()
        expect(page.get_by_text("起点：2017年1月，尚未模拟")).to_be_visible()
        for text in ("本市园区", "招商漏斗", "发生了什么（最新月份在前）", "当前生效的政策杠杆"):
            expect(page.get_by_text(text).first).to_be_visible()
        for label in ("情景", "驻地招商办事处", "服务质量（0-1）"):  # the sidebar's controls
            expect(page.get_by_text(label, exact=True).first).to_be_visible()
        card = page.locator(".v-card", has_text="招商漏斗")
        deadline = time.monotonic() + 30
        while card.locator("img").first.get_attribute("src") == english_chart:
            assert time.monotonic() < deadline, "the chart was not redrawn in Chinese"
            time.sleep(0.2)

        for _ in range(3):
            page.get_by_role("button", name="Step").click()
        expect(page.get_by_text("已模拟到2017年3月（第 3 个月，共 36 个月）")).to_be_visible()
        feed = page.locator(".v-card", has_text="发生了什么")
        expect(feed).to_contain_text("2017年")
        expect(feed).to_contain_text("企业")
        assert "firm from" not in feed.inner_text()
        page.screenshot(path=str(tmp_path / "teaching-page-zh.png"), full_page=True)

        page.get_by_role("button", name="English").click()
        expect(page.get_by_text("Simulated through 2017-03 (month 3 of 36)")).to_be_visible()
        expect(page.locator(".v-card", has_text="What happened")).to_contain_text("2017-0")
        browser.close()
