"""The classroom game's HTTP API, served in this process on a free port of 127.0.0.1.

A small world (3,000 firms) and rounds of three months keep each round under a second.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from zhaoshang.ui.classroom.game import MAX_TEAMS
from zhaoshang.ui.classroom.levers import current
from zhaoshang.ui.classroom.server import Classroom, ClassroomServer, Settings
from zhaoshang.ui.classroom.store import Store

SMALL = {"pool.firms": 3000}


@contextmanager
def serving(db, round_seconds=60.0, rounds=3):
    """A classroom server on ``db``; yields (base URL, classroom); stopped at the end."""
    store = Store(db)
    room = Classroom(store, Settings("classroom-henan", rounds, 3, 5, round_seconds, SMALL))
    server = ClassroomServer(("127.0.0.1", 0), room)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", room
    finally:
        server.shutdown()
        server.server_close()
        store.close()


def call(url, body=None):
    """GET (no body) or POST JSON; returns (status, decoded JSON)."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def ok(url, body=None):
    status, data = call(url, body)
    assert status == 200, data
    return data


def new_game(base, room, names):
    ok(f"{base}/api/teacher/new", {"key": room.key})
    code = room.game.code
    tokens = {n: ok(f"{base}/api/join", {"code": code, "name": n})["token"] for n in names}
    return code, tokens


def test_pages_and_labels_are_served_locally(tmp_path):
    with serving(tmp_path / "db.sqlite") as (base, _):
        with urllib.request.urlopen(f"{base}/") as page:
            html = page.read().decode()
        assert "/static/team.js" in html and "http" not in html.replace("http-equiv", "")
        with urllib.request.urlopen(f"{base}/teacher") as page:
            assert "/static/teacher.js" in page.read().decode()
        terms = ok(f"{base}/api/terms?lang=zh")
        assert terms["terms"]["classroom.join.title"] == "加入游戏"
        assert terms["cities"]["ruzhou"] == "汝州"
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/static/%2e%2e%2fserver.py")


def test_the_teacher_key_is_required(tmp_path):
    with serving(tmp_path / "db.sqlite") as (base, _):
        assert call(f"{base}/api/teacher?key=wrong")[0] == 403
        assert call(f"{base}/api/teacher/new", {"key": "wrong"})[0] == 403


def test_bad_submissions_are_refused_with_a_message(tmp_path):
    with serving(tmp_path / "db.sqlite") as (base, room):
        _, tokens = new_game(base, room, ["Alpha"])
        token = tokens["Alpha"]
        good = current(room.game.scenario, "ruzhou")
        # before the round opens
        status, data = call(f"{base}/api/submit", {"token": token, "round": 1, "levers": good})
        assert status == 400 and "not open" in data["error"]
        ok(f"{base}/api/teacher/start", {"key": room.key})
        cases = [
            ({**good, "offices": 99}, "offices: must be between 0 and 12"),
            ({**good, "offices": 2.5}, "offices: must be a whole number"),
            ({**good, "service_quality": "high"}, "service_quality: must be a number"),
            ({**good, "selective": 1}, "selective: must be true or false"),
            ({k: v for k, v in good.items() if k != "agents"}, "missing levers ['agents']"),
            ({**good, "bribes": 1}, "unknown levers ['bribes']"),
            ({**good, "offices": 12, "agents": 20, "service_quality": 1.0,
              "professionalism": 1.0}, "budget"),
            ([1, 2], "a submission is an object"),
        ]
        for levers, words in cases:
            status, data = call(f"{base}/api/submit", {"token": token, "round": 1,
                                                       "levers": levers})
            assert status == 400 and words in data["error"], (levers, data)
        status, data = call(f"{base}/api/submit", {"token": token, "round": 2, "levers": good})
        assert status == 400 and "round 2 is not open" in data["error"]
        status, data = call(f"{base}/api/submit", b"{not json")
        assert status == 400 and "not JSON" in data["error"]
        status, data = call(f"{base}/api/submit", {"token": "nobody", "round": 1, "levers": good})
        assert status == 400 and "join again" in data["error"]
        # nothing refused was recorded: the team can still submit once
        ok(f"{base}/api/submit", {"token": token, "round": 1, "levers": good})


def test_two_browsers_of_one_team_cannot_both_submit(tmp_path):
    with serving(tmp_path / "db.sqlite") as (base, room):
        code, tokens = new_game(base, room, ["Alpha"])
        again = ok(f"{base}/api/join", {"code": code, "name": "  alpha "})  # the same team
        assert again["token"] == tokens["Alpha"] and again["city"] == "ruzhou"
        ok(f"{base}/api/teacher/start", {"key": room.key})
        levers = current(room.game.scenario, "ruzhou")
        body = {"token": tokens["Alpha"], "round": 1, "levers": levers}
        ok(f"{base}/api/submit", {**body, "browser": "phone"})
        status, data = call(f"{base}/api/submit", {**body, "browser": "laptop"})
        assert status == 400 and "another browser" in data["error"]


def test_late_and_missing_submissions_keep_last_levers(tmp_path):
    with serving(tmp_path / "db.sqlite", round_seconds=1.0) as (base, room):
        _, tokens = new_game(base, room, ["Alpha", "Beta"])
        ok(f"{base}/api/teacher/start", {"key": room.key})
        alpha = {**current(room.game.scenario, "ruzhou"), "offices": 8, "land_discount": 0.6}
        ok(f"{base}/api/submit", {"token": tokens["Alpha"], "round": 1, "levers": alpha})
        time.sleep(1.2)
        beta = {**current(room.game.scenario, "zhengzhou"), "offices": 1}
        status, data = call(f"{base}/api/submit", {"token": tokens["Beta"], "round": 1,
                                                   "levers": beta})
        assert status == 400 and "deadline has passed" in data["error"]
        ok(f"{base}/api/teacher/advance", {"key": room.key})
        ok(f"{base}/api/teacher/start", {"key": room.key})
        ok(f"{base}/api/teacher/advance", {"key": room.key})  # nobody submits round 2
        teams = {t.name: t for t in room.game.teams}
        assert teams["Alpha"].decisions == {"1": alpha, "2": alpha}
        scenario_levers = current(room.game.scenario, "zhengzhou")
        assert teams["Beta"].decisions == {"1": scenario_levers, "2": scenario_levers}
        view = ok(f"{base}/api/team?token={tokens['Beta']}")
        assert view["levers"] == scenario_levers and len(view["results"]) == 2


def test_pause_extend_and_the_clock(tmp_path):
    with serving(tmp_path / "db.sqlite", round_seconds=30.0) as (base, room):
        _, tokens = new_game(base, room, ["Alpha"])
        ok(f"{base}/api/teacher/start", {"key": room.key})
        ok(f"{base}/api/teacher/pause", {"key": room.key})
        status, data = call(f"{base}/api/submit", {
            "token": tokens["Alpha"], "round": 1,
            "levers": current(room.game.scenario, "ruzhou")})
        assert status == 400 and "paused" in data["error"]
        left = ok(f"{base}/api/teacher?key={room.key}")["seconds_left"]
        ok(f"{base}/api/teacher/extend", {"key": room.key, "seconds": 60})
        assert ok(f"{base}/api/teacher?key={room.key}")["seconds_left"] == pytest.approx(left + 60)
        ok(f"{base}/api/teacher/resume", {"key": room.key})
        assert ok(f"{base}/api/teacher?key={room.key}")["phase"] == "open"


def test_a_restarted_server_resumes_the_game(tmp_path):
    db = tmp_path / "db.sqlite"
    with serving(db) as (base, room):
        _, tokens = new_game(base, room, ["Alpha", "Beta", "Gamma"])
        ok(f"{base}/api/teacher/start", {"key": room.key})
        levers = {**current(room.game.scenario, "ruzhou"), "offices": 10, "agents": 4}
        ok(f"{base}/api/submit", {"token": tokens["Alpha"], "round": 1, "levers": levers})
        ok(f"{base}/api/teacher/advance", {"key": room.key})
        ok(f"{base}/api/teacher/start", {"key": room.key})
        ok(f"{base}/api/submit", {"token": tokens["Beta"], "round": 2,
                                  "levers": current(room.game.scenario, "zhengzhou")})
        before = ok(f"{base}/api/teacher?key={room.key}")
        key = room.key
    with serving(db) as (base, room):
        assert room.key == key
        after = ok(f"{base}/api/teacher?key={key}")
        for field in ("code", "phase", "round", "results", "feed", "teams"):
            assert after[field] == before[field], field
        assert after["phase"] == "open" and [t["submitted"] for t in after["teams"]] == [
            False, True, False]
        # the replayed models go on: round 2 runs and round 3 ends the game
        ok(f"{base}/api/teacher/advance", {"key": key})
        ok(f"{base}/api/teacher/start", {"key": key})
        ok(f"{base}/api/teacher/advance", {"key": key})
        final = ok(f"{base}/api/team?token={tokens['Gamma']}")
        assert final["phase"] == "debrief" and len(final["results"]) == 3


def test_thirty_teams_play_in_leagues_and_a_thirty_first_is_refused(tmp_path):
    with serving(tmp_path / "db.sqlite") as (base, room):
        code, _ = new_game(base, room, [f"team {i}" for i in range(MAX_TEAMS)])
        status, data = call(f"{base}/api/join", {"code": code, "name": "one too many"})
        assert status == 400 and "every city is taken" in data["error"]
        seats = {(t.league, t.city) for t in room.game.teams}
        assert len(seats) == MAX_TEAMS
        assert max(t.league for t in room.game.teams) == MAX_TEAMS // len(room.game.cities) - 1


def test_the_classroom_scenario_gives_every_city_parks_and_offices():
    from zhaoshang import load_scenario

    scenario = load_scenario("classroom-henan")
    for city in scenario.governments:
        assert any(p.government == city for p in scenario.parks.values()), city
        assert any(o.government == city for o in scenario.offices.values()), city
    assert {"ruzhou", "zhengzhou", "xuchang"} <= set(scenario.governments)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["classroom", "--rounds", "10"], "--rounds: 10 rounds of 6 months need 60 months"),
        (["classroom", "--scenario", "ruzhou-2017", "--set", "pool.firms=-1"], "pool.firms"),
        (["classroom-export", "--out", "x", "--db", "missing.sqlite"], "no such file"),
    ],
)
def test_bad_classroom_options_exit_2(tmp_path, monkeypatch, capsys, args, words):
    from tests.conftest import run_cli

    monkeypatch.chdir(tmp_path)
    assert run_cli(args) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
