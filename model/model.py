"""The Mesa model: one step is one month; the month's order of mechanisms is in ``month``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import mesa
import numpy as np
import pandas as pd

from ..agents import Firm, Government, Park
from ..scenarios import schedule as scenario_schedule
from ..scenarios.errors import ScenarioError
from ..scenarios.memory import check_memory
from ..scenarios.schema import Scenario
from . import month
from . import schedule as lever_changes
from .mechanisms import awareness, choice, land, outreach
from .outputs import kpis, series
from .state import selection
from .state.codes import PIPELINE, Cause, Channel, Stage
from .state.events import EventLog
from .state.firms import NEVER, FirmTable, home_wage_path
from .state.places import CityState, ParkState, Policy
from .state.streams import KeyedStreams, Purpose
from .state.world import World, real_wage_path

# Stage codes as plain ints for compiled kernels (an IntEnum argument is slow to dispatch).
_AWARE, _OPERATING = int(Stage.AWARE), int(Stage.OPERATING)
_FIRST_DEAL, _LAST_DEAL = int(min(PIPELINE)), int(max(PIPELINE))


class AttractionModel(mesa.Model):
    """Investment attraction into specialised parks, month by month.

    Args:
        scenario: A validated :class:`Scenario` (see ``load_scenario``).
        rng: Seed (or generator) of the model's random numbers; one seed, one result.
        firm_agents: Create a :class:`Firm` agent for every firm that becomes active (turn off
            in large batches: results are identical, only the views are skipped).
        collect_firms: Also collect per-firm data every month (slow; off by default).
        collect: Collect the monthly series (the DataCollector and land by park). Batch runs
            that read only the KPIs turn it off: the KPIs come from the event log and the
            final state, so they are identical either way.

    Raises:
        ScenarioError: If the run would need more memory than this machine has available
            (:mod:`zhaoshang.scenarios.memory`).
    """

    #: Whether the model looks at the state after each month in :meth:`step` (a subclass
    #: that traces every month, as the teaching page does): ``run_for`` then simulates its
    #: months one call at a time instead of all in one call.
    observes_each_month: ClassVar[bool] = False

    def __init__(
        self,
        scenario: Scenario,
        rng: int | np.random.Generator | None = None,
        *,
        firm_agents: bool = True,
        collect_firms: bool = False,
        collect: bool = True,
    ):
        check_memory(scenario)  # a run that cannot fit is refused before anything is allocated
        super().__init__(rng=rng)
        self.spec = scenario  # the resolved Scenario (Mesa keeps its own `scenario`)
        self.world = w = World.build(scenario)
        self.streams = KeyedStreams(int(self.rng.integers(0, 2**63 - 1)))
        self.month = 0
        self.horizon = scenario.time.months
        self.firms = FirmTable(w, self.streams)
        self.parks = ParkState(w)
        self.cities = CityState(w)
        self.policy = Policy(w)
        mech = scenario.mechanisms
        self.home_wages = home_wage_path(w, self.horizon, mech.pressure)
        self.city_wages = real_wage_path(  # constant 2017 yuan, as output and taxes
            w.city_array(lambda g: g.wage_yuan_month), w.city_array(lambda g: g.wage_growth),
            scenario.world.inflation, self.horizon,
        )
        self.home_wage = self.home_wages[:, 0]
        self.city_wage = self.city_wages[:, 0]
        self.logistics_share = w.sector_array("logistics_share")
        hazard = scenario.behaviour.relocation_hazard
        self.minded_order = self.firms.schedule_minded(
            self.streams,
            self.home_wages,
            hazard,
            scenario.behaviour.wage_push if mech.pressure else 0.0,
        )
        self.minded_sorted = self.firms.minded[self.minded_order]
        self.minded_ptr = np.zeros(1, dtype=np.int64)  # first firm not yet due
        self.urn_counts = np.zeros(len(w.park_ids))
        self.event_log = EventLog(w.focus)
        f = self.firms
        self.activity = (np.zeros(f.n, dtype=np.int64), np.zeros(1, dtype=np.int64),
                         np.zeros(f.n, dtype=bool))  # fields of selection.Activity
        self.directories = outreach.Directories(self)
        self.firm_agents = firm_agents
        self.collect = collect
        self.firm_agent: dict[int, Firm] = {}
        self._kept: dict[str, Any] = {}
        #: Set to a dict to time each phase of the month (by name; each then runs in its own
        #: compiled call): ``benchmarks/profile_mechanisms.py``.
        self.phase_seconds: dict[str, float] | None = None
        self._ahead = 0  # months simulated by run_for that Mesa's clock has yet to step
        #: Policy changes still to apply, by month (the scenario's ``[[schedule]]``, then
        #: :meth:`set_policy`).
        self.pending: dict[int, dict[str, Any]] = scenario_schedule.by_month(scenario)
        self._setup_outreach()
        # Major projects (model/mechanisms/projects.py): leadership visits carried over, what
        # the leadership did, and the projects a signing ceremony has booked (kept when a
        # schedule rebuilds the outreach).
        n_cities = len(w.city_ids)
        self.leadership_time = np.zeros(n_cities)
        self.major_results = {
            key: np.zeros(n_cities) for key in ("matched", "lost_to_rivals", "case_incentives_yuan")
        }
        self.booked = np.zeros(self.firms.n, dtype=bool)
        self.lengthened = np.zeros(self.firms.n, dtype=np.int64)  # city + 1 of the deal
        self.realised = np.zeros(self.firms.n)  # investment realised, by firm (yuan)
        self.realised_city = np.zeros(n_cities)
        self.governments = [Government(self, c) for c in range(len(w.city_ids))]
        self.park_agents = [Park(self, p) for p in range(len(w.park_ids))]
        self._seed_incumbents()
        #: The focus city's monthly series and land by park, a row per month
        #: (``outputs/series.py``; written when ``collect``), and the last month's row.
        self.series_tables = series.tables(self)
        self.current: dict[str, Any] = {}
        self.terms = choice.park_terms(self)
        reporters = {name: (lambda m, k=name: m.current[k]) for name in ("date", *series.SERIES)}
        agent_reporters = (
            {"stage": lambda a: a.stage, "park": lambda a: a.park} if collect_firms else None
        )
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters,
            agenttype_reporters={Firm: agent_reporters} if agent_reporters else None,
        )

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Simulate one month: the mechanisms in the order of ``month.PHASES``.

        A step that Mesa's clock takes for a month ``run_for`` has simulated already only
        collects that month's series.
        """
        if self._ahead:  # a month that run_for simulated already: Mesa's clock catches up
            self._collect(self.month - self._ahead)
            self._ahead -= 1
            return
        if self.month >= self.horizon:
            self.running = False
            return
        self._simulate(1)
        self._collect(self.month)
        self._next_month()

    def _collect(self, month: int) -> None:
        """Hand ``month``'s row of the monthly series to Mesa's data collector (if collected)."""
        if self.collect:
            self.current = series.row(self, month)
            self.datacollector.collect(self)

    def run_for(self, months: int) -> None:
        """Run ``months`` more months (stopping at the scenario's horizon).

        A model that keeps no agents or phase timings, and whose class does not observe each
        month (:attr:`observes_each_month`), runs them in one compiled call (one per
        stretch between policy changes); Mesa's clock then advances by as many steps, each of
        which finds its month done and collects its monthly series (written by the month's
        last phase). Results are the same as month by month.
        """
        months = min(months, self.horizon - self.month)
        if months <= 0:
            return
        if self.firm_agents or self.phase_seconds is not None or self.observes_each_month:
            for _ in range(months):
                self.step()
            return
        left = months
        while left:  # the months between policy changes, each stretch in one call
            later = [t - self.month for t in self.pending if 0 < t - self.month < left]
            stretch = min(later, default=left)
            self._simulate(stretch)
            self._next_month()
            left -= stretch
        self._ahead = months
        super().run_for(months)
        self._ahead = 0  # in case Mesa's schedule stepped fewer (a changed default schedule)

    def at_month(self, t: int) -> None:
        """Make ``t`` the month being simulated (its wages with it)."""
        self.month = t
        self.home_wage = self.home_wages[:, t]
        self.city_wage = self.city_wages[:, t]

    def set_policy(self, path: str, value: Any, month: int | None = None) -> None:
        """Change a lever from ``month`` on (the next month to simulate when None).

        The change is checked now and applied at the start of that month (see
        ``scenarios/schedule.py`` for the values that may change during a run).

        Args:
            path: Dotted path, e.g. ``governments.ruzhou.service.quality``.
            value: The new value, checked as the scenario's field is.
            month: Months from the start of the run; not before the next month to simulate.

        Raises:
            ScenarioError: If the path cannot change during a run, the value is not allowed,
                or the month has been simulated already or is past the horizon.
        """
        month = self.month if month is None else month
        if not self.month <= month < self.horizon:
            raise ScenarioError(
                f"month {month} is not between the next month to simulate ({self.month}) "
                f"and the last of the run ({self.horizon - 1})", "set_policy", path
            )
        changes = {**self.pending.get(month, {}), path: value}
        scenario_schedule.with_values(self.spec, changes, "set_policy")
        self.pending.setdefault(month, {})[path] = value

    def _apply_due(self) -> None:
        """Apply the policy changes due at the current month (see :meth:`set_policy`)."""
        changes = self.pending.pop(self.month, None)
        if changes:
            lever_changes.apply(self, scenario_schedule.with_values(self.spec, changes))

    def _simulate(self, months: int) -> None:
        """Simulate ``months`` months from the current one, which is left at the last."""
        self._apply_due()
        self.event_log.start_month(self.month)
        self.at_month(self.month)
        month.run(self, months, self.phase_seconds)

    def _next_month(self) -> None:
        """Move past the month just simulated (the run stops at the horizon)."""
        self.month += 1
        if self.month >= self.horizon:
            self.running = False

    # ------------------------------------------------------------------ helpers for mechanisms
    def log(self, ids, from_stage, to_stage, park, city, channel, cause) -> None:
        """Record transitions (scalars stand for the batch); the log counts the month's flows."""
        self.event_log.append(self.month, ids, from_stage, to_stage, park, city, channel, cause)

    @property
    def active(self) -> np.ndarray:
        """The active firms (those the month's mechanisms look at), in order of activation."""
        order, count, _ = self.activity
        return order[: count[0]]

    def activate(self, ids: np.ndarray) -> None:
        """Add firms to the active set (those the month's mechanisms look at)."""
        before = selection.active_count(self.activity)
        selection.activate(np.asarray(ids, dtype=np.int64), self.activity)
        self.add_agents(before)

    def kept(self, key: str, build: Callable[[], Any]) -> Any:
        """What ``build`` returns, built on first use and kept for the run.

        For the argument tuples of kernels: the model's arrays are updated in place, never
        replaced; a change of levers (``schedule.apply``) builds them again.
        """
        if key not in self._kept:
            self._kept[key] = build()
        return self._kept[key]

    def add_agents(self, before: int) -> None:
        """Create the :class:`Firm` agents of the firms activated since ``before`` (if kept)."""
        if not self.firm_agents:
            return
        for i in self.active[before:].tolist():
            if i not in self.firm_agent:
                self.firm_agent[i] = Firm(self, i)

    def searching(self, ids: np.ndarray) -> np.ndarray:
        """Whether each firm is relocation-minded and still searching this month."""
        f = self.firms
        return selection.searching_mask(ids, f.search_start, f.search_end, self.month)

    def searchers(self) -> np.ndarray:
        """Active firms searching for a site and not in any deal."""
        f = self.firms
        return selection.searchers(
            self.active, f.stage, f.search_start, f.search_end, self.month, _AWARE
        )

    def in_pipeline(self) -> np.ndarray:
        """Active firms in some city's pipeline before operation."""
        return selection.in_stages(self.active, self.firms.stage, _FIRST_DEAL, _LAST_DEAL)

    def tenants(self) -> np.ndarray:
        """Operating firms (in any city)."""
        return selection.in_stages(self.active, self.firms.stage, _OPERATING, _OPERATING)

    def directory(self, city: int) -> outreach.Directory:
        """The ordering in which ``city`` approaches candidate firms (built on first use)."""
        return self.directories[city]

    def inform(self, ids: np.ndarray, city: int, channel: Channel) -> None:
        """Firms learn of ``city`` through ``channel``; a pitch may start their search."""
        if len(ids) == 0:
            return
        b = self.spec.behaviour
        pitch = (self.month, self.streams.salt(Purpose.TRIGGER, self.month, city),
                 float(b.pitch_trigger), int(b.search_months))
        self.event_log.reserve(len(ids))
        before = selection.active_count(self.activity)
        awareness.inform(
            np.asarray(ids, dtype=np.int64), int(city), int(channel), awareness.learners(self),
            pitch, self.activity, self.event_log.fields(),
        )
        self.add_agents(before)

    # ------------------------------------------------------------------ set-up
    def _setup_outreach(self) -> None:
        w, sc = self.world, self.spec
        offices = []
        for city, cid in enumerate(w.city_ids):
            listed = [o for o in sc.offices.values() if o.government == cid]
            count = sc.governments[cid].outreach.office_count
            if not sc.governments[cid].outreach.proactive:
                count = 0
            count = len(listed) if count is None else count
            if listed:
                for k in range(count):
                    o = listed[k % len(listed)]
                    region = w.region_ids.index(o.region)
                    sectors = [w.sector_ids.index(s) for s in o.sectors]
                    lookup = np.zeros((len(w.region_ids), len(w.sector_ids)), dtype=bool)
                    lookup[region, sectors or slice(None)] = True
                    offices.append(
                        {
                            "city": city,
                            "region": region,
                            "sectors": sectors,
                            "visits": o.visits_per_month,
                            "lookup": lookup.ravel(),
                        }
                    )
        self.active_offices = offices
        self.office_cost_per_month = np.zeros(len(w.city_ids))
        for o in offices:
            self.office_cost_per_month[o["city"]] += self.policy_cost(o["city"])
        self.conferences_by_month: dict[int, list[dict[str, Any]]] = {}
        self.conference_results: dict[str, dict[str, Any]] = {}
        for index, (cid, conf) in enumerate(sc.conferences.items()):
            month = w.month_of(conf.date)
            if 0 <= month < self.horizon:
                promoted = sc.parks[conf.park].sectors if conf.park is not None else []
                self.conferences_by_month.setdefault(month, []).append(
                    {
                        "id": cid,
                        "index": index,
                        "kind": conf.kind,
                        "city": w.city_ids.index(conf.government),
                        "region": w.region_ids.index(conf.region) if conf.region else None,
                        # The conference invites its sectors and those of the park it promotes.
                        "sectors": sorted(
                            {w.sector_ids.index(s) for s in [*conf.sectors, *promoted]}
                        )
                        if conf.sectors
                        else [],
                        "invitees": conf.invitees,
                        "guests": conf.guests,
                    }
                )

    def policy_cost(self, city: int) -> float:
        """Monthly running cost of one resident office of ``city``."""
        return self.spec.governments[self.world.city_ids[city]].outreach.office_cost_yuan_month

    def _seed_incumbents(self) -> None:
        f = self.firms
        ids, parks = f.incumbents
        if len(ids) == 0:
            return
        f.seed_incumbents(self.world.park_city)
        np.add.at(self.parks.tenants, (parks, f.sector[ids]), 1)
        np.add.at(self.parks.land_allocated, parks, f.land_held[ids])
        self.log(
            ids,
            Stage.UNAWARE,
            Stage.OPERATING,
            parks,
            self.world.park_city[parks],
            Channel.INCUMBENT,
            Cause.SEEDED,
        )
        self.activate(ids)

    # ------------------------------------------------------------------ outputs
    def idle_land_by_park(self) -> np.ndarray:
        """Idle land per park (ha) of every land holder, by the 2012 rule (``land.idle_land``)."""
        return land.idle_land_by_park(self)

    def land_by_park(self) -> pd.DataFrame:
        """Land allocated, developed and idle per park and month (ha), one row per pair."""
        if not self.collect or self.month == 0:
            return pd.DataFrame(columns=["month", "date", "park", "land_allocated_ha",
                                         "land_developed_ha", "idle_land_ha"])
        history = self.series_tables[1][: self.month]  # (months, 3, parks)
        months, _, n_parks = history.shape
        month = np.repeat(np.arange(months), n_parks)
        return pd.DataFrame({
            "month": month,
            "date": [self.world.date(int(t)) for t in month],
            "park": np.tile(self.world.park_ids, months),
            "land_allocated_ha": history[:, 0].ravel(),
            "land_developed_ha": history[:, 1].ravel(),
            "idle_land_ha": history[:, 2].ravel(),
        })

    def kpis(self) -> dict[str, Any]:
        """Run totals and breakdowns (see :func:`zhaoshang.model.outputs.kpis.compute`)."""
        return kpis.compute(self)

    @property
    def events(self) -> pd.DataFrame:
        """Every pipeline transition as a DataFrame with readable labels."""
        dates = [self.world.date(m) for m in range(self.horizon + 1)]
        return self.event_log.frame(self.world.park_ids, self.world.city_ids, dates)

    def firm_frame(self) -> pd.DataFrame:
        """The firm table now, one row per firm that was ever active or seeded."""
        from .state.codes import CHANNEL_NAMES, STAGE_NAMES

        f, w = self.firms, self.world
        touched = np.flatnonzero((f.stage > Stage.UNAWARE) | (f.known.any(axis=1)))
        park = f.park[touched]
        city = f.city[touched]
        return pd.DataFrame(
            {
                "firm": touched,
                "sector": np.asarray(w.sector_ids)[f.sector[touched]],
                "origin": np.asarray(w.region_ids)[f.region[touched]],
                "stage": np.asarray(STAGE_NAMES)[f.stage[touched]],
                "park": np.where(park >= 0, np.asarray([*w.park_ids, ""])[park], ""),
                "city": np.where(city >= 0, np.asarray([*w.city_ids, ""])[city], ""),
                "channel": np.asarray(CHANNEL_NAMES)[f.channel[touched]],
                "employees": f.employees[touched],
                "investment_yuan": f.investment[touched] + f.reinvested[touched],
                "land_held_ha": f.land_held[touched],
                "land_developed_ha": f.land_developed[touched],
                "satisfaction": f.satisfaction[touched],
                "promise_broken": f.promise_broken[touched],
                "entered_month": np.where(f.entered[touched] < NEVER, f.entered[touched], -1),
                "idle_since_month": np.where(
                    f.idle_since[touched] < NEVER, f.idle_since[touched], -1
                ),
                "incumbent": touched >= f.n_pool,
            }
        )
