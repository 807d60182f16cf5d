"""The classroom game in real browsers: a teacher and three teams play three rounds.

``zhaoshang classroom`` serves a small world (3,000 firms, rounds of three months) on a free
port of 127.0.0.1; headless Chromium opens the teacher's page and three teams' pages, each in
its own browser context (one the size of a phone), while a route aborts any request not for
this machine. One team reloads its page and joins again from another browser; one submits
after the deadline and is refused; the server is stopped and started again in the middle of
round 3, and the game goes on to the debrief. Then ``classroom-export`` writes the lesson's
files.

Outside CI the test skips when Chromium or Playwright is missing; with ``CI=true`` it fails.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import CHROMIUM_ARGS, run_cli
from tests.ui.test_browser import CHROMIUM, free_port, only_local, require

pytestmark = pytest.mark.browser
ROUND_MINUTES = 0.25  # 15 s to submit, unless the teacher extends


class Server:
    """``zhaoshang classroom`` in a subprocess that can be stopped and started again."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.db = tmp_path / "classroom.sqlite"
        self.log_path = tmp_path / "server.log"
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen | None = None

    def start(self) -> list[str]:
        cmd = [
            sys.executable, "-m", "zhaoshang.experiments.cli", "classroom", "--port",
            str(self.port), "--db", str(self.db), "--rounds", "3", "--months-per-round", "3",
            "--round-minutes", str(ROUND_MINUTES), "--set", "pool.firms=3000",
        ]  # fmt: skip
        log = self.log_path.open("w")
        self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start: {self.log_path.read_text()}")
                time.sleep(0.3)
        return self.log_path.read_text().splitlines()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def server(tmp_path):
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "playwright is not installed")
    served = Server(tmp_path)
    try:
        yield served
    finally:
        served.stop()


def test_three_teams_play_three_rounds(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    lines = server.start()
    assert lines[0] == f"Zhaoshang classroom: teams open {server.url}  (Ctrl+C to stop)"
    teacher_url = lines[1].split(": ", 1)[1]
    assert teacher_url.startswith(f"{server.url}teacher?key=")
    blocked: list[str] = []

    expect.set_options(timeout=30_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def context(**options):
            ctx = browser.new_context(service_workers="block", **options)
            ctx.route("**/*", only_local(blocked))
            return ctx

        teacher = context(viewport={"width": 1280, "height": 1600}).new_page()
        teacher.goto(teacher_url)
        teacher.locator("#new").click()
        expect(teacher.locator("#code")).to_have_text(re.compile(r"^[A-Z0-9]{4}$"))
        code = teacher.locator("#code").inner_text()

        names = ["Alpha", "Beta", "Gamma"]
        sizes = [{"width": 1100, "height": 1200}, {"width": 1100, "height": 1200},
                 {"width": 390, "height": 844}]  # Gamma plays on a phone
        contexts = [context(viewport=size) for size in sizes]
        teams = {}
        for name, ctx in zip(names, contexts, strict=True):
            page = ctx.new_page()
            page.goto(server.url)
            page.locator("#code").fill(code.lower())
            page.locator("#name").fill(name)
            page.locator("#join-button").click()
            expect(page.locator("#who")).to_contain_text(name)
            teams[name] = page
        expect(teams["Alpha"].locator("#who")).to_contain_text("Ruzhou")
        expect(teacher.locator("#team-table tbody tr")).to_have_count(3)

        def submit(name, changes=None):
            page = teams[name]
            for key, value in (changes or {}).items():
                page.locator(f"#lever-{key}").fill(str(value))
            page.locator("#submit").click()
            expect(page.locator("#message")).to_contain_text("Submitted")

        def open_round(number, extend=True):
            teacher.locator("#start").click()
            expect(teacher.locator("#status")).to_contain_text(f"Round {number}/3")
            if extend:
                teacher.locator("#extend").click()
            for page in teams.values():
                expect(page.locator("#submit")).to_be_visible()

        def advance(number):
            teacher.locator("#advance").click()
            for page in teams.values():
                expect(page.locator("#results-body")).to_contain_text(f"Round {number}")

        # Round 1: everyone submits; an over-budget choice cannot be sent.
        open_round(1)
        gamma_page = teams["Gamma"]
        gamma_page.screenshot(path=str(tmp_path / "team-phone-levers.png"), full_page=True)
        alpha = teams["Alpha"]
        alpha.locator("#lever-offices").fill("12")
        alpha.locator("#lever-agents").fill("20")
        alpha.locator("#lever-service_quality").fill("1")
        expect(alpha.locator("#cost")).to_have_class("message error")
        expect(alpha.locator("#submit")).to_be_disabled()
        submit("Alpha", {"offices": 9, "agents": 0, "service_quality": 0.8})
        submit("Beta", {"land_discount": 0.5})
        submit("Gamma", {"offices": 0})
        expect(teacher.locator("#status")).to_contain_text("All teams have submitted")
        advance(1)
        expect(teacher.locator("#leaderboard tbody tr")).to_have_count(3)
        expect(alpha.locator("#won")).to_contain_text("Firms won from")

        # Beta reloads its page, then opens the game in another browser: the same city.
        beta = teams["Beta"]
        beta.reload()
        expect(beta.locator("#who")).to_contain_text("Beta · Zhengzhou")
        other = context(viewport={"width": 800, "height": 900}).new_page()
        other.goto(server.url)
        other.locator("#code").fill(code)
        other.locator("#name").fill("beta")
        other.locator("#join-button").click()
        expect(other.locator("#who")).to_contain_text("Beta · Zhengzhou")

        # Round 2: Gamma submits after the deadline and is refused; it keeps its levers.
        open_round(2, extend=False)
        submit("Alpha")
        beta.locator("#submit").click()
        expect(beta.locator("#message")).to_contain_text("Submitted")
        expect(other.locator("#submit")).to_be_disabled()  # the other browser sees it sent
        gamma = teams["Gamma"]
        expect(gamma.locator("#clock")).to_contain_text("0:00", timeout=40_000)
        gamma.locator("#lever-offices").fill("3")
        gamma.locator("#submit").click()
        expect(gamma.locator("#message")).to_contain_text("deadline has passed")
        advance(2)

        # Round 3: the server stops after one submission and starts again; play goes on.
        open_round(3)
        submit("Alpha")
        server.stop()
        lines = server.start()
        assert lines[2].startswith(f"Resumed game {code} (open, round 2)")
        teacher.locator("#extend").click()
        expect(alpha.locator("#message")).to_contain_text("Submitted")
        submit("Beta")
        submit("Gamma")
        teacher.locator("#advance").click()
        expect(teacher.locator("#status")).to_contain_text("Game over")
        expect(teacher.locator("#charts svg")).to_have_count(5)
        expect(teacher.locator("#feed li").first).to_be_visible()
        for page in teams.values():
            expect(page.locator("#status")).to_contain_text("Game over")
        width = gamma.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the phone page is {width}px wide"
        teacher.screenshot(path=str(tmp_path / "teacher.png"), full_page=True)
        gamma.screenshot(path=str(tmp_path / "team-phone.png"), full_page=True)
        browser.close()
    assert blocked == [], f"the pages tried to reach the network: {blocked}"

    out = tmp_path / "export"
    assert run_cli(["classroom-export", "--db", str(server.db), "--out", str(out),
                    "--lang", "en"]) == 0
    with (out / "decisions.csv").open() as f:
        decisions = list(csv.DictReader(f))
    assert len(decisions) == 9
    gamma_rounds = {row["round"]: row["offices"] for row in decisions if row["team"] == "Gamma"}
    assert gamma_rounds == {"1": "0", "2": "0", "3": "0"}  # the late "3" was not played
    assert "Leaderboard" in (out / "report.html").read_text()
