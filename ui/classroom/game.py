"""The classroom game: teams govern rival cities of one scenario, round by round.

Teams are seated in leagues: a league is one run of the model (one world, one seed) whose
cities are governed by up to as many teams as the scenario has cities, in the scenario's city
order (the focus city first); a city without a team keeps the scenario's levers. Thirty teams
in a six-city scenario play in five leagues of the same world, so every team faces the same
firms and rivals, and the results of all teams can be compared.

A round: the teacher opens it (with a deadline), teams submit their levers, the teacher
advances; the model then runs the round's months with every team's levers applied from the
round's first month (``AttractionModel.set_policy``), a team that did not submit keeping its
last levers. What a game needs to resume is only its decisions: the same seed gives the same
run, so a game loaded from the database replays its rounds to rebuild the models.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ...model import AttractionModel
from ...model.state.codes import Stage
from ...scenarios.errors import InputError, ScenarioError
from ...scenarios.loader import load_scenario
from ...scenarios.schema import Scenario
from . import levers as team_levers

MAX_TEAMS = 30
#: Letters of join codes and tokens that cannot be mistaken for one another.
CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: The measures of a round's results, in the order the pages and exports show them.
MEASURES = ("entrants", "jobs", "net_fiscal_yuan", "idle_land_ha", "credibility")
#: Phases of a game.
LOBBY, OPEN, PAUSED, RESULTS, DEBRIEF = "lobby", "open", "paused", "results", "debrief"


class GameError(InputError):
    """A request the game refuses (shown to the user as is)."""


@dataclass
class Team:
    """A team and its decisions.

    Attributes:
        name: As typed on joining.
        token: Secret the team's browsers keep to rejoin and submit.
        league: Which run of the model it plays in.
        city: The id of the city it governs.
        decisions: The levers it played in each completed round (as text keys: JSON).
        submitted: The levers it submitted for the open round, if any.
        submitted_by: The browser (a random id) that submitted them.
    """

    name: str
    token: str
    league: int
    city: str
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    submitted: dict[str, Any] | None = None
    submitted_by: str = ""


def new_code(length: int) -> str:
    """A random code of ``length`` unambiguous letters and digits."""
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(length))


class Game:
    """One game: its settings, teams, phase, and a model per league.

    Args:
        scenario_name: Library name or path of a scenario with several cities.
        rounds: Number of rounds.
        months_per_round: Months simulated per round.
        seed: Seed of every league's model.
        round_seconds: Time teams have to submit once a round opens.
        code: The join code (a new one when None).
        overrides: Dotted-path overrides of the scenario (``--set``).

    Raises:
        InputError: If the scenario cannot be loaded or the rounds exceed its horizon.
    """

    def __init__(
        self,
        scenario_name: str,
        rounds: int,
        months_per_round: int,
        seed: int = 1,
        round_seconds: float = 300.0,
        code: str | None = None,
        overrides: dict[str, Any] | None = None,
    ):
        self.scenario_name = scenario_name
        self.overrides = dict(overrides or {})
        self.scenario: Scenario = load_scenario(scenario_name, self.overrides)
        if rounds * months_per_round > self.scenario.time.months:
            raise InputError(
                f"{rounds} rounds of {months_per_round} months need {rounds * months_per_round} "
                f"months; the scenario runs {self.scenario.time.months}: fewer rounds or months "
                "per round", "--rounds",
            )
        if len(self.scenario.governments) < 2:
            raise InputError("the classroom needs a scenario with several cities", "--scenario")
        self.rounds, self.months_per_round, self.seed = rounds, months_per_round, seed
        self.round_seconds = round_seconds
        self.code = code or new_code(4)
        self.cities = list(self.scenario.governments)
        self.teams: list[Team] = []
        self.phase = LOBBY
        self.round = 0  # rounds completed
        self.deadline = 0.0  # wall-clock time of the open round's deadline
        self.remaining = 0.0  # seconds left when paused
        self.results: list[list[dict[str, Any]]] = []  # by round, one row per team
        self.feed: list[dict[str, Any]] = []
        self.models: list[AttractionModel] = []
        self.lock = threading.RLock()

    # ------------------------------------------------------------------ teams
    def join(self, name: str) -> Team:
        """Seat a new team, or give a known team (same name) its seat again."""
        name = " ".join(str(name).split())[:40]
        if not name:
            raise GameError("type a team name", "join", "name")
        with self.lock:
            for team in self.teams:
                if team.name.casefold() == name.casefold():
                    return team
            if self.phase == DEBRIEF:
                raise GameError("the game is over; ask the teacher for a new code", "join")
            seat = self._free_seat()
            if seat is None:
                raise GameError(
                    f"every city is taken ({len(self.teams)} teams); ask the teacher", "join"
                )
            league, city = seat
            team = Team(name=name, token=new_code(16), league=league, city=city)
            if self.round:  # joins a city the scenario has governed so far: same levers
                start = team_levers.current(self.scenario, city)
                team.decisions = {str(r): dict(start) for r in range(1, self.round + 1)}
            self.teams.append(team)
            return team

    def _free_seat(self) -> tuple[int, str] | None:
        """The next free (league, city): in order before the game starts, then any free one."""
        taken = {(t.league, t.city) for t in self.teams}
        leagues = len(self.models) if self.models else MAX_TEAMS
        if len(self.teams) >= MAX_TEAMS:
            return None
        for league in range(leagues):
            for city in self.cities:
                if (league, city) not in taken:
                    return league, city
        return None

    def team(self, token: str) -> Team:
        """The team of ``token``, or :class:`GameError`."""
        for team in self.teams:
            if secrets.compare_digest(team.token, str(token)):
                return team
        raise GameError("this browser's team is not in the game; join again", "team")

    def levers_of(self, team: Team) -> dict[str, Any]:
        """The levers a team plays next if it submits nothing: its last, else the scenario's."""
        if team.decisions:
            return dict(team.decisions[str(max(map(int, team.decisions)))])
        return team_levers.current(self.scenario, team.city)

    def incentives_paid(self, team: Team) -> float:
        """Incentives the team's city paid in the last round (yuan; 0 before the first)."""
        if not self.results:
            return 0.0
        return next(r["incentives_yuan"] for r in self.results[-1] if r["team"] == team.name)

    # ------------------------------------------------------------------ rounds
    def start_round(self) -> None:
        """Open the next round for submissions, with a deadline."""
        with self.lock:
            if self.phase not in (LOBBY, RESULTS):
                raise GameError(f"a round cannot start now (the game is {self.phase})", "start")
            if not self.teams:
                raise GameError("no team has joined yet", "start")
            if not self.models:
                self.models = [self._new_model() for _ in range(self._leagues())]
            for team in self.teams:
                team.submitted, team.submitted_by = None, ""
            self.phase = OPEN
            self.deadline = time.time() + self.round_seconds

    def _leagues(self) -> int:
        return max(t.league for t in self.teams) + 1

    def _new_model(self) -> AttractionModel:
        return AttractionModel(self.scenario, rng=self.seed, firm_agents=False, collect=False)

    def pause(self) -> None:
        """Stop the open round's clock (submissions wait too)."""
        with self.lock:
            if self.phase != OPEN:
                raise GameError("only an open round can be paused", "pause")
            self.remaining = max(0.0, self.deadline - time.time())
            self.phase = PAUSED

    def resume(self) -> None:
        """Restart a paused round's clock with the time it had left."""
        with self.lock:
            if self.phase != PAUSED:
                raise GameError("the round is not paused", "resume")
            self.deadline = time.time() + self.remaining
            self.phase = OPEN

    def extend(self, seconds: float) -> None:
        """Give the open (or paused) round more time."""
        with self.lock:
            if self.phase == OPEN:
                self.deadline = max(self.deadline, time.time()) + seconds
            elif self.phase == PAUSED:
                self.remaining += seconds
            else:
                raise GameError("no round is open", "extend")

    def submit(self, token: str, round_number: Any, submitted: Any, browser: str = "") -> Team:
        """Record a team's levers for the open round.

        Raises:
            GameError: If no round is open, the deadline has passed, the round is not the open
                one, the team has submitted already (from any browser), or the levers are
                refused (:func:`levers.check`).
        """
        with self.lock:
            team = self.team(token)
            if self.phase == PAUSED:
                raise GameError("the round is paused; wait for the teacher", "submit")
            if self.phase != OPEN or round_number != self.round + 1:
                raise GameError(f"round {round_number} is not open for submissions", "submit")
            if time.time() > self.deadline:
                raise GameError(
                    "the deadline has passed: your city keeps last round's levers", "submit"
                )
            if team.submitted is not None:
                raise GameError(
                    "your team has submitted this round already"
                    + (" (from another browser)" if team.submitted_by != browser else ""),
                    "submit",
                )
            try:
                levers = team_levers.check(
                    self.scenario, team.city, submitted, self.months_per_round,
                    self.incentives_paid(team),
                )
            except ScenarioError as exc:
                raise GameError(exc.message) from None
            team.submitted, team.submitted_by = levers, browser
            return team

    def advance(self) -> None:
        """Close the open round and simulate it; the last round leads to the debrief."""
        with self.lock:
            if self.phase not in (OPEN, PAUSED):
                raise GameError("no round is open", "advance")
            number = self.round + 1
            for team in self.teams:
                team.decisions[str(number)] = team.submitted or self.levers_of(team)
                team.submitted, team.submitted_by = None, ""
            self._play(number)
            self.round = number
            self.phase = DEBRIEF if number == self.rounds else RESULTS

    def _play(self, number: int) -> None:
        """Simulate round ``number`` in every league and record its results and feed."""
        start = (number - 1) * self.months_per_round
        before = [_snapshot(m) for m in self.models]
        for league, model in enumerate(self.models):
            for team in self.teams:
                if team.league == league:
                    for path, value in team_levers.as_paths(
                        team.city, team.decisions[str(number)]
                    ).items():
                        model.set_policy(path, value, start)
            model.run_for(self.months_per_round)
        rows = [
            self._result(team, number, before[team.league], start) for team in self.teams
        ]
        self.results.append(rows)
        self.feed.extend(_feed(number, rows))

    def _result(self, team: Team, number: int, before: dict, start: int) -> dict[str, Any]:
        """A team's results after round ``number``."""
        m = self.models[team.league]
        c = self.cities.index(team.city)
        f = m.firms
        events = m.event_log.columns()
        in_round = events["month"] >= start
        signed = in_round & (events["to_stage"] == int(Stage.CONTRACT))
        firms, where = events["firm"][signed], events["city"][signed]
        won: dict[str, int] = {}
        lost: dict[str, int] = {}
        for k, other in enumerate(self.cities):
            if k == c:
                continue
            won_here = firms[(where == c) & (f.known[firms, k] > 0)]
            lost_there = firms[(where == k) & (f.known[firms, c] > 0)]
            if len(won_here):
                won[self.label(team.league, other)] = len(np.unique(won_here))
            if len(lost_there):
                lost[self.label(team.league, other)] = len(np.unique(lost_there))
        operating = (f.stage == int(Stage.OPERATING)) & (f.city == c)
        idle = float((f.land_held[operating] - f.land_developed[operating]).sum())
        return {
            "round": number,
            "team": team.name,
            "league": team.league,
            "city": team.city,
            "entrants": len(np.unique(firms[where == c])),
            "jobs": float(f.employees[operating].sum()),
            "net_fiscal_yuan": float(m.cities.net_fiscal[c]),
            "idle_land_ha": idle,
            "credibility": float(m.cities.credibility[c]),
            "incentives_yuan": float(m.cities.incentives[c] - before["incentives"][c]),
            "won_from": won,
            "lost_to": lost,
        }

    def label(self, league: int, city: str) -> str:
        """A city as the pages name it: the team governing it, else the city's id."""
        for team in self.teams:
            if team.league == league and team.city == city:
                return f"{team.name} ({city})"
        return city

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        """What the database keeps: settings, teams with their decisions, phase and clock."""
        return {
            "scenario": self.scenario_name, "overrides": self.overrides, "rounds": self.rounds,
            "months_per_round": self.months_per_round, "seed": self.seed,
            "round_seconds": self.round_seconds, "code": self.code, "phase": self.phase,
            "round": self.round, "deadline": self.deadline, "remaining": self.remaining,
            "teams": [asdict(t) for t in self.teams],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Game:
        """The game a :meth:`state` describes, its completed rounds replayed."""
        game = cls(
            state["scenario"], state["rounds"], state["months_per_round"], state["seed"],
            state["round_seconds"], state["code"], state["overrides"],
        )
        game.teams = [Team(**t) for t in state["teams"]]
        if state["phase"] != LOBBY:
            game.models = [game._new_model() for _ in range(game._leagues())]
        for number in range(1, state["round"] + 1):
            game._play(number)
        game.round, game.phase = state["round"], state["phase"]
        game.deadline, game.remaining = state["deadline"], state["remaining"]
        return game


def _snapshot(m: AttractionModel) -> dict[str, np.ndarray]:
    """What a round's results are measured against: the cities' accounts before it."""
    return {"incentives": m.cities.incentives.copy()}


def _feed(number: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The round's "what happened" items: glossary keys with the values they name."""
    items: list[dict[str, Any]] = []
    for row in rows:
        for other, n in sorted(row["lost_to"].items(), key=lambda kv: -kv[1])[:2]:
            items.append({"round": number, "key": "classroom.feed.lost",
                          "values": {"team": row["team"], "n": n, "other": other}})
        if row["credibility"] < 0.6:
            items.append({"round": number, "key": "classroom.feed.credibility",
                          "values": {"team": row["team"], "value": f"{row['credibility']:.2f}"}})
        if row["idle_land_ha"] > 50:
            items.append({"round": number, "key": "classroom.feed.idle",
                          "values": {"team": row["team"], "value": f"{row['idle_land_ha']:.0f}"}})
    best = max(rows, key=lambda r: r["entrants"], default=None)
    if best is not None and best["entrants"] > 0:
        items.append({"round": number, "key": "classroom.feed.best",
                      "values": {"team": best["team"], "n": best["entrants"]}})
    return items
