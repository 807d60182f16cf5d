"""The scenario schema: every table and parameter a scenario file may hold.

Collections (sectors, regions, governments, parks, offices, conferences) are tables keyed by a
short id, so one dotted path names any parameter: ``governments.ruzhou.service.quality``.
Every field has a unit, a documented default and a source; unknown keys are errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from zhaoshang.scenarios.fields import (
    ASSUMPTION,
    CALIBRATED,
    DOWN,
    LITERATURE,
    SEED,
    UNCERTAINTY,
    UP,
    Strict,
    lever,
    param,
)

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")

#: Longest horizon of a run, in months (a century).
MAX_MONTHS = 1200
#: Most candidate firms (and firms placed by the birth-death urn) a scenario may ask for; the
#: memory check (:mod:`.memory`) may refuse fewer on a small machine.
MAX_FIRMS = 20_000_000
#: Most firms of one kind in one table entry (incumbents of a sector, invitees, buildings).
MAX_ENTRY = 100_000
#: Most employees of one incumbent (an incumbent may stand for a park's whole background
#: economy, as in the dartboard validation scenario; China employs under a billion people).
MAX_EMPLOYMENT = 1e9
#: Largest amount of money of one payment or one month's cost, in yuan (10 billion).
MAX_YUAN = 1e10
#: Largest utility weight or log-odds effect: far beyond any estimate (at 1000 a difference of
#: a hundredth of a unit already decides a choice).
MAX_EFFECT = 1000.0
#: Longest delay of a pipeline stage, in months (ten years).
MAX_DELAY = 120.0

#: A month of a run, counted from 0 (windows of months in experiments and targets files).
Month = Annotated[int, Field(ge=0, le=MAX_MONTHS)]
#: A link strength from 0 to 1.
Share = Annotated[float, Field(ge=0, le=1)]
#: A relative weight (only ratios matter).
Weight = Annotated[float, Field(ge=0, le=1e6)]
#: Firms of one sector in one park.
EntryCount = Annotated[int, Field(ge=0, le=MAX_ENTRY)]


def month_index(text: str) -> tuple[int, int]:
    """Parse ``YYYY-MM`` into (year, month), raising ``ValueError`` when malformed."""
    match = MONTH_PATTERN.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month written YYYY-MM, got {text!r}")
    return int(match.group(1)), int(match.group(2))


class TimeSpec(Strict):
    """Calendar of a run."""

    start: str = param("2017-01", "First simulated month.", unit="YYYY-MM", source=SEED)
    months: int = param(120, "Horizon of the run.", unit="months", ge=1, le=MAX_MONTHS)

    @field_validator("start")
    @classmethod
    def _check_start(cls, value: str) -> str:
        month_index(value)
        return value


class PoolSpec(Strict):
    """The candidate firms: potential investors in the origin regions."""

    firms: int = param(
        20000,
        "Number of candidate firms across all origin regions.",
        unit="firms",
        ge=0,
        le=MAX_FIRMS,
    )
    size_sigma: float = param(
        0.6,
        "Log-normal spread of firm size in the body of the size distribution.",
        unit="log units",
        source=ASSUMPTION,
        ge=0,
        le=3,
    )
    # ---- heavy tail and within-sector heterogeneity (money-consistent choice, issues 19/20)
    tail_share: float = param(
        0.1,
        "Share of firms in the Pareto upper tail of the size distribution (the log-normal "
        "body's quantiles above 1 - tail_share are replaced by Pareto quantiles).",
        unit="share 0-1",
        source=ASSUMPTION,
        ge=0,
        lt=1,
    )
    tail_index: float = param(
        1.06,
        "Pareto tail index of firm size above the tail threshold.",
        unit="-",
        source=LITERATURE + ": Axtell (2001), Science 293:1818, US firm sizes, alpha = 1.059",
        gt=0.5,
        le=10,
    )
    size_cap: float = param(
        20,
        "Largest project, as a multiple of its sector's mean size (truncation of the tail; "
        "20 puts the largest new-energy-vehicle plant at 6 bn yuan).",
        unit="x sector mean",
        source=ASSUMPTION,
        gt=1,
        le=10_000,
    )
    land_sigma: float = param(
        0.5,
        "Log-normal spread of land per unit of size within a sector (land intensity).",
        unit="log units",
        source=ASSUMPTION,
        ge=0,
        le=3,
    )
    tax_sigma: float = param(
        0.4,
        "Log-normal spread of local taxes per unit of output within a sector, drawn "
        "independently of land intensity (so tax per hectare varies within a sector).",
        unit="log units",
        source=ASSUMPTION,
        ge=0,
        le=3,
    )


class SectorSpec(Strict):
    """An industrial sector: typical firm and its supply-chain links."""

    name: str = param("", "English name.")
    name_zh: str = param("", "Chinese name.")
    employees: float = param(
        80, "Mean employees per relocating firm.", unit="persons", gt=0, le=MAX_ENTRY
    )
    investment_myuan: float = param(
        50, "Mean fixed investment per project.", unit="million yuan", gt=0, le=100_000
    )
    land_ha: float = param(2.0, "Mean land need per project.", unit="ha", ge=0, le=10_000)
    output_myuan: float = param(
        60, "Mean annual output per firm.", unit="million yuan/year", gt=0, le=1_000_000
    )
    tax_share: float = param(
        0.04, "Local taxes as a share of output.", unit="share 0-1", source=LITERATURE, ge=0, le=1
    )
    logistics_share: float = param(
        0.02,
        "Transport cost share of output per 1,000 km from the firm's home market.",
        unit="share per 1000 km",
        ge=0,
        le=1,
    )
    pollution: float = param(
        1.0,
        "Pollution load per million yuan of output (index, 1 = manufacturing average).",
        unit="index/million yuan",
        ge=0,
        le=100,
    )
    energy: float = param(
        0.1, "Energy use per million yuan of output.", unit="tce/million yuan", ge=0, le=100
    )
    tech: float = param(0.5, "Mean technology level.", unit="score 0-1", ge=0, le=1)
    suppliers: dict[str, Share] = param(
        {},
        "Input-output links: supplier sector id -> strength of the link.",
        unit="share 0-1",
    )


class RegionSpec(Strict):
    """An origin region from which candidate firms come."""

    name: str = param("", "English name.")
    name_zh: str = param("", "Chinese name.")
    lon: float = param(120.0, "Longitude of the region's centre.", unit="degrees", ge=-180, le=180)
    lat: float = param(31.0, "Latitude of the region's centre.", unit="degrees", ge=-90, le=90)
    weight: float = param(1.0, "Share of the candidate pool (relative weight).", ge=0, le=1e6)
    wage_yuan_month: float = param(
        5000,
        "Average manufacturing wage in 2017.",
        unit="yuan/month",
        source=LITERATURE,
        gt=0,
        le=1_000_000,
    )
    wage_growth: float = param(
        0.08,
        "Annual nominal growth of the wage (deflated by world.inflation).",
        unit="share/year",
        source=LITERATURE,
        ge=-0.5,
        le=1,
    )
    land_price_yuan_m2: float = param(
        600,
        "Industrial land price in the region: the yearly land cost of staying home.",
        unit="yuan/m2",
        source=LITERATURE,
        ge=0,
        le=1_000_000,
    )
    sectors: dict[str, Weight] = param(
        {},
        "Sector mix of the region's candidate firms (relative weights; empty = even).",
    )


class Incentives(Strict):
    """Incentives a government promises to investors."""

    land_discount: float = param(
        0.3,
        "Share of the land price waived for a signed project.",
        unit="share 0-1",
        ge=0,
        le=1,
        lever=lever(
            0.0,
            0.9,
            "Cheaper land lowers the cost of locating here (Tiebout-style competition for "
            "capital); the city forgoes land income.",
            entries=UP,
            jobs=UP,
            net_fiscal_yuan=DOWN,
        ),
    )
    tax_rebate: float = param(
        0.5,
        "Share of local taxes rebated during the rebate period.",
        unit="share 0-1",
        ge=0,
        le=1,
        lever=lever(
            0.0,
            1.0,
            "A rebate raises the value of locating here (Bartik 2018: incentives induce some "
            "firms); rebates cost local taxes.",
            entries=UP,
            jobs=UP,
            net_fiscal_yuan=DOWN,
        ),
    )
    rebate_years: float = param(
        3,
        "Length of the tax rebate period.",
        unit="years",
        ge=0,
        le=30,
        lever=lever(
            0.0,
            8.0,
            "A longer rebate is worth more to a firm and costs the city more (Bartik 2018).",
            entries=UP,
            jobs=UP,
            net_fiscal_yuan=DOWN,
        ),
    )
    subsidy_per_job_yuan: float = param(
        2000,
        "One-off subsidy per job created.",
        unit="yuan/job",
        ge=0,
        le=10_000_000,
        lever=lever(
            0.0,
            50_000.0,
            "A job subsidy lowers labour cost, most for labour-intensive firms, and is paid by "
            "the city.",
            entries=UP,
            jobs=UP,
            net_fiscal_yuan=DOWN,
        ),
    )
    performance_linked: bool = param(
        False,
        "Rebates are paid only while a firm meets its output commitment (mutual benefit).",
        lever=lever(
            False,
            True,
            "Seed: performance-linked rebates deter land hoarding and pay only firms that deliver.",
            idle_land_ha=DOWN,
        ),
    )


class Service(Strict):
    """Service quality of the government."""

    quality: float = param(
        0.6,
        "Administrative service quality (one-stop approval).",
        unit="score 0-1",
        ge=0,
        le=1,
        source=SEED,
        lever=lever(
            0.4,
            0.9,
            "Seed: one-stop service shortens approvals and draws firms (exits, a count, "
            "have no expected direction: more tenants, each less likely to leave).",
            entries=UP,
            jobs=UP,
        ),
    )
    aftercare: float = param(
        0.6,
        "Aftercare for firms already operating ('nanny-style' service).",
        unit="score 0-1",
        ge=0,
        le=1,
        source=SEED,
        lever=lever(
            0.2,
            0.9,
            "Seed: attraction without aftercare loses firms (ill 2); satisfied tenants stay and "
            "refer.",
            jobs=UP,
            exits=DOWN,
        ),
    )
    approval_months: float = param(
        3,
        "Months of approvals before construction can start at quality 0.",
        unit="months",
        ge=0,
        le=60,
        lever=lever(
            1.0,
            9.0,
            "Longer approvals delay starts and lose deals to rivals (seed: administration plus "
            "service, reform 3).",
            entries=DOWN,
        ),
    )


class RentSeeking(Strict):
    """Informal fees, levies, fines and delays."""

    fee_share: float = param(
        0.0,
        "Informal fees and levies as a share of output.",
        unit="share 0-1",
        ge=0,
        le=0.5,
        lever=lever(
            0.0,
            0.1,
            "Seed: rent-seeking (ill 3) raises costs and drives firms away (exits, a count, "
            "have no expected direction: fewer tenants, each more likely to leave).",
            entries=DOWN,
            jobs=DOWN,
        ),
    )
    delay_months: float = param(
        0.0,
        "Extra months added at negotiation and approval.",
        unit="months",
        ge=0,
        le=60,
        lever=lever(
            0.0,
            6.0,
            "Seed: deliberate delays at negotiation and approval lose deals to rival cities.",
            entries=DOWN,
        ),
    )


class Staff(Strict):
    """The attraction staff."""

    professionalism: float = param(
        0.5,
        "Professionalism of attraction staff (targeting, negotiation).",
        unit="score 0-1",
        ge=0,
        le=1,
        lever=lever(
            0.4,
            0.9,
            "Seed: professional staff (reform 4) target and negotiate better.",
            entries=UP,
            jobs=UP,
        ),
    )


class Selectivity(Strict):
    """Screening of projects before signing."""

    enabled: bool = param(
        False,
        "Screen projects before signing.",
        lever=lever(
            False,
            True,
            "Seed: selective attraction (reform 5) turns polluting and low-tax projects away.",
            entries=DOWN,
        ),
    )
    max_pollution: float = param(
        2.0,
        "Highest pollution index per million yuan of output admitted.",
        unit="index/million yuan",
        ge=0,
        le=100,
    )
    max_energy: float = param(
        0.5,
        "Highest energy use per million yuan of output admitted.",
        unit="tce/million yuan",
        ge=0,
        le=100,
    )
    min_tax_per_ha_myuan: float = param(
        0.0,
        "Lowest annual local tax per hectare admitted.",
        unit="million yuan/ha/year",
        ge=0,
        le=100_000,
    )
    min_tech: float = param(0.0, "Lowest technology score admitted.", unit="score 0-1", ge=0, le=1)


class LandPolicy(Strict):
    """Land management."""

    allocation: Literal["first_come", "merit"] = param(
        "merit",
        "How scarce land is allotted among the month's signers: first come (negotiated) or "
        "ranked by tax per hectare.",
        lever=lever(
            "first_come",
            "merit",
            "Ranking scarce land by tax per hectare, and keeping a park's last land for "
            "projects that meet the yield standard, gives land to the firms that pay most "
            "(seed, reform 5).",
            net_fiscal_yuan=UP,
        ),
    )
    merit_reserve: float = param(
        0.2,
        "Under merit allocation, the share of a park's land kept for projects that meet the "
        "yield standard: a project below it is refused land that would leave less free.",
        unit="share 0-1",
        source=ASSUMPTION + ": per-mu yield evaluation (亩均论英雄, Zhejiang's 2018 reform) "
        "rations the last industrial land by tax per mu",
        ge=0,
        le=1,
    )
    merit_tax_per_ha_myuan: float = param(
        1.0,
        "Yield standard of merit allocation: annual local tax per hectare a project must bring "
        "to be given a park's reserved land.",
        unit="million yuan/ha/year",
        source=ASSUMPTION + ": of the order of county per-mu tax standards (about 67,000 yuan "
        "per mu)",
        ge=0,
        le=100_000,
    )
    enforcement: bool = param(
        True,
        "Charge idle-land fees and reclaim idle land.",
        source=SEED,
        lever=lever(
            False,
            True,
            "2012 idle-land rule: fees and reclamation deter hoarding and free idle land.",
            idle_land_ha=DOWN,
        ),
    )
    idle_fee_share: float = param(
        0.2,
        "Idle-land fee as a share of the land price.",
        unit="share 0-1",
        source=LITERATURE + ": 2012 idle land rule",
        ge=0,
        le=1,
        lever=lever(
            0.05, 1.0, "2012 idle-land rule: a higher fee makes hoarding dearer.", idle_land_ha=DOWN
        ),
    )
    fee_after_months: int = param(
        12,
        "Months idle before the fee is charged.",
        unit="months",
        source=LITERATURE + ": 2012 idle land rule",
        ge=1,
        le=240,
        lever=lever(
            6,
            24,
            "2012 idle-land rule: a later fee makes idle land cheaper to keep and brings in less.",
            idle_land_ha=UP,
            net_fiscal_yuan=DOWN,
        ),
    )
    reclaim_after_months: int = param(
        24,
        "Months idle before the land is reclaimed.",
        unit="months",
        source=LITERATURE + ": 2012 idle land rule",
        ge=1,
        le=240,
        lever=lever(
            12,
            48,
            "2012 idle-land rule: later reclamation leaves idle land idle longer.",
            idle_land_ha=UP,
        ),
    )


class Governance(Strict):
    """Officials, policy continuity and credibility."""

    tenure_years: float = param(
        3.5,
        "Mean tenure of the city's leader.",
        unit="years",
        source=LITERATURE,
        gt=0,
        le=100,
        lever=lever(
            2.0,
            8.0,
            "Fewer leadership changes break fewer promises (policy continuity; seed ill 1).",
            credibility=UP,
            exits=DOWN,
        ),
    )
    honour_probability: float = param(
        0.85,
        "Probability that a successor honours a predecessor's commitment.",
        unit="probability",
        ge=0,
        le=1,
        lever=lever(
            0.6,
            1.0,
            "Seed ill 1 (new officials ignore old accounts): kept promises build credibility and "
            "keep firms.",
            kind=UNCERTAINTY,
            entries=UP,
            exits=DOWN,
            credibility=UP,
        ),
    )
    credibility_prior: float = param(
        0.7,
        "Investors' prior belief that promises are kept.",
        unit="probability",
        ge=0,
        le=1,
        lever=lever(
            0.5,
            0.9,
            "Investors who trust promises more value the city more (predictability weighs most).",
            kind=UNCERTAINTY,
            entries=UP,
            credibility=UP,
        ),
    )
    credibility_weight: float = param(
        20, "Weight of the prior, in observed promises.", unit="promises", gt=0, le=100_000
    )
    turnover: bool = param(
        True,
        "Leaders turn over at the tenure hazard.",
        lever=lever(
            False,
            True,
            "Seed ill 1: each new leader may break a predecessor's promises, so turnover lowers "
            "credibility.",
            entries=DOWN,
            exits=UP,
            credibility=DOWN,
        ),
    )


class Outreach(Strict):
    """How the government reaches investors."""

    proactive: bool = param(
        True,
        "Resident offices, conferences and agents are active (false = waiting at the door).",
        lever=lever(
            False,
            True,
            "Seed reform 1: proactive outreach (offices, conferences, agents) instead of waiting "
            "at the door.",
            entries=UP,
            jobs=UP,
        ),
    )
    office_count: int | None = param(
        None,
        "Number of resident offices in service (none = those listed in `offices`).",
        unit="offices",
        ge=0,
        le=100,
        lever=lever(
            0, 5, "Seed: the five resident offices produced the 2017 funnel.", entries=UP, jobs=UP
        ),
    )
    referrals: bool = param(
        True,
        "Business attracts business: tenants refer partners.",
        lever=lever(
            False,
            True,
            "Seed: business attracts business (以商招商): tenants bring partners.",
            entries=UP,
            jobs=UP,
        ),
    )
    conferences: bool = param(
        True,
        "Promotion conferences listed in `conferences` are held (false = none is held, so a "
        "scenario can switch the channel off without removing the table it extends).",
        lever=lever(
            False,
            True,
            "Seed: promotion conferences produced intentions and contracts in 2017.",
            entries=UP,
        ),
    )
    visibility: float = param(
        0.01,
        "Monthly probability that a searching firm learns of the city unprompted.",
        unit="probability/month",
        ge=0,
        le=1,
        lever=lever(
            0.001,
            0.02,
            "A better-known city is found by more searching firms (information frictions).",
            entries=UP,
            jobs=UP,
        ),
    )
    office_cost_yuan_month: float = param(
        80000,
        "Running cost of one resident office.",
        unit="yuan/month",
        ge=0,
        le=MAX_YUAN,
        lever=lever(
            40_000.0,
            160_000.0,
            "Dearer offices cost the city more and bring nothing more.",
            net_fiscal_yuan=DOWN,
        ),
    )
    conference_cost_yuan: float = param(
        1_500_000, "Cost of one promotion conference.", unit="yuan", ge=0, le=MAX_YUAN
    )


class Entrusted(Strict):
    """Entrusted attraction: third parties paid to find investors."""

    count: int = param(
        0,
        "Number of entrusted agents.",
        unit="agents",
        ge=0,
        le=1000,
        lever=lever(0, 6, "Seed: entrusted agents (委托招商) find more investors.", entries=UP),
    )
    contacts_per_month: float = param(
        4, "Firms each agent contacts per month.", unit="firms/month", ge=0, le=MAX_ENTRY
    )
    pay_on_results: bool = param(
        True, "Agents are paid per signed project (false = a retainer regardless of results)."
    )
    fee_per_project_yuan: float = param(
        200000, "Fee per signed project.", unit="yuan", ge=0, le=MAX_YUAN
    )
    retainer_yuan_month: float = param(
        30000, "Monthly retainer when not paid on results.", unit="yuan/month", ge=0, le=MAX_YUAN
    )


class Partnership(Strict):
    """Mutual benefit: the government helps firms succeed rather than extracting from them."""

    matchmaking: float = param(
        0.0,
        "Help in finding local suppliers and customers (raises the cluster benefit).",
        unit="score 0-1",
        ge=0,
        le=1,
        lever=lever(
            0.0,
            1.0,
            "Seed reform 2 (mutual benefit): local suppliers and customers raise the cluster "
            "benefit and satisfaction.",
            entries=UP,
            exits=DOWN,
        ),
    )


# ---------------------------------------------------------------- major projects and contracts
class MajorProjects(Strict):
    """Major projects (重大项目): handled by the city's leadership (一把手招商)."""

    threshold_yuan: float = param(
        1e8,
        "Investment from which a project is major: handled by the leadership, answered with "
        "case-by-case incentives (一事一议) and booked at the collective signing ceremony.",
        unit="yuan",
        source=LITERATURE + ": the 100-million-yuan line (亿元以上项目) of Chinese attraction "
        "statistics",
        gt=0,
        le=MAX_YUAN,
    )
    incentive_cap_yuan: float = param(
        3e7,
        "Most a case-by-case package (一事一议) may offer one project to match a rival bid.",
        unit="yuan",
        ge=0,
        le=MAX_YUAN,
        lever=lever(
            0,
            2e8,
            "Packages that can match rival bids keep major projects that rivals would take "
            "(一事一议), and with them most of their jobs; large projects take land smaller "
            "firms would have had, so the count of entrants may fall.",
            jobs=UP,
        ),
    )
    leadership_visits_month: float = param(
        4,
        "Major projects the city's leaders can meet a month (leadership time; fractions carry "
        "over to the next month).",
        unit="visits/month",
        ge=0,
        le=MAX_ENTRY,
        lever=lever(
            0,
            8,
            "Leaders' visits bring the largest searching projects and answer rival bids "
            "(一把手招商): more jobs and taxes; large projects take land smaller firms would "
            "have had, so the count of entrants may fall.",
            jobs=UP,
            net_fiscal_yuan=UP,
        ),
    )


class Contracts(Strict):
    """Contracted (签约额) against realised investment (实际到位)."""

    realisation_rate: float = param(
        0.7,
        "Share of a built project's contracted investment that is realised over construction.",
        unit="share 0-1",
        source=LITERATURE + ": realised/contracted FDI in China 1993-2004 was 0.25-0.5 "
        "(NBS yearbooks), counting projects that never start",
        ge=0,
        le=1,
    )
    inflation: float = param(
        1.0,
        "Factor by which reported contracted investment exceeds the real commitment (the "
        "numbers game; 1 = honest reporting).",
        unit="factor",
        ge=1,
        le=100,
    )


class GovernmentSpec(Strict):
    """A destination city and its government."""

    name: str = param("", "English name.")
    name_zh: str = param("", "Chinese name.")
    lon: float = param(112.8, "Longitude.", unit="degrees", ge=-180, le=180)
    lat: float = param(34.2, "Latitude.", unit="degrees", ge=-90, le=90)
    wage_yuan_month: float = param(
        3200,
        "Average manufacturing wage in 2017.",
        unit="yuan/month",
        source=LITERATURE,
        gt=0,
        le=1_000_000,
    )
    wage_growth: float = param(
        0.07,
        "Annual nominal wage growth (deflated by world.inflation).",
        unit="share/year",
        ge=-0.5,
        le=1,
    )
    incentives: Incentives = Field(default_factory=Incentives)
    service: Service = Field(default_factory=Service)
    rent_seeking: RentSeeking = Field(default_factory=RentSeeking)
    staff: Staff = Field(default_factory=Staff)
    selectivity: Selectivity = Field(default_factory=Selectivity)
    land: LandPolicy = Field(default_factory=LandPolicy)
    governance: Governance = Field(default_factory=Governance)
    outreach: Outreach = Field(default_factory=Outreach)
    entrusted: Entrusted = Field(default_factory=Entrusted)
    partnership: Partnership = Field(default_factory=Partnership)
    major_projects: MajorProjects = Field(default_factory=MajorProjects)
    contracts: Contracts = Field(default_factory=Contracts)


class ParkSpec(Strict):
    """A specialised industrial park of a destination city."""

    government: str = param("", "Id of the owning government.", pattern=ID_PATTERN)
    name: str = param("", "English name.")
    name_zh: str = param("", "Chinese name.")
    sectors: list[str] = param([], "Sector focus of the park (sector ids).")
    land_ha: float = param(
        300,
        "Industrial land area.",
        unit="ha",
        ge=0,
        le=1_000_000,
        lever=lever(
            0.5,
            2.0,
            "docs/scenarios.md: with less land more firms are turned away; with more, more can "
            "enter.",
            relative=True,
            entries=UP,
            jobs=UP,
        ),
    )
    land_price_yuan_m2: float = param(
        250,
        "Land price before discounts.",
        unit="yuan/m2",
        source=LITERATURE,
        ge=0,
        le=1_000_000,
        lever=lever(
            0.5,
            2.0,
            "Dearer land raises the cost of locating in the park.",
            relative=True,
            entries=DOWN,
        ),
    )
    standard_buildings: int = param(
        0,
        "Ready standard factory buildings.",
        unit="buildings",
        source=SEED,
        ge=0,
        le=MAX_ENTRY,
        lever=lever(
            0, 20, "Seed: ready standard factory buildings let firms start sooner.", entries=UP
        ),
    )
    infrastructure: float = param(
        0.6,
        "Infrastructure quality.",
        unit="score 0-1",
        ge=0,
        le=1,
        lever=lever(
            0.4, 0.9, "Better infrastructure is valued in location choice.", entries=UP, jobs=UP
        ),
    )
    incumbents: dict[str, EntryCount] = param(
        {}, "Operating firms at start, by sector id.", unit="firms", source=SEED
    )
    incumbent_employees: float = param(
        30,
        "Mean employees of an incumbent firm.",
        unit="persons",
        gt=0,
        le=MAX_EMPLOYMENT,
    )
    urn_weight: float | None = param(
        None,
        "Initial weight of the park under proportional attraction and the birth-death urn "
        "(none = world.urn_weight).",
        gt=0,
        le=1e6,
    )


class OfficeSpec(Strict):
    """A resident attraction branch office stationed in an origin region."""

    government: str = param("ruzhou", "Id of the government it belongs to.", pattern=ID_PATTERN)
    region: str = param("", "Id of the region where it is stationed.", pattern=ID_PATTERN)
    sectors: list[str] = param([], "Target sectors (empty = all).")
    visits_per_month: float = param(
        5,
        "Firms visited per month.",
        unit="firms/month",
        source=SEED + ": 300+ visits by 5 offices in 2017",
        ge=0,
        le=MAX_ENTRY,
        lever=lever(
            0.5,
            2.0,
            "Seed: resident offices (驻地招商) produce most contacts; more visits, more leads.",
            relative=True,
            entries=UP,
            jobs=UP,
        ),
    )


class ConferenceSpec(Strict):
    """A promotion conference held on a date in an origin region."""

    government: str = param("ruzhou", "Id of the organising government.", pattern=ID_PATTERN)
    date: str = param("2017-06", "Month of the conference.", unit="YYYY-MM", source=SEED)
    place: str = param("", "Where it is held.")
    place_zh: str = param("", "Where it is held, in Chinese.")
    kind: Literal["roadshow", "city"] = param(
        "roadshow",
        "roadshow: held in an origin region for chosen sectors; city: the city's own "
        "promotion conference (市情说明暨招商推介会) at home, which also invites the firms its "
        "channels are talking to and ends in a collective signing ceremony (项目集中签约) "
        "booking the city's major projects from every channel.",
    )
    region: str = param(
        "",
        "Origin region of the invitees (empty = every region).",
        pattern=r"^([a-z][a-z0-9_]*)?$",
    )
    sectors: list[str] = param([], "Sectors invited (empty = all).")
    park: str | None = param(
        None, "Park promoted: its focus sectors are invited too (none = no park promoted)."
    )
    invitees: int = param(
        100,
        "Firms contacted afresh that attend.",
        unit="firms",
        ge=0,
        le=MAX_ENTRY,
        lever=lever(
            0.5,
            2.0,
            "Seed: conferences produced intentions; more invitees, more leads.",
            relative=True,
            entries=UP,
        ),
    )
    guests: int = param(
        0,
        "People counted as visitors (person-visits of investors, overseas Chinese and other "
        "guests who are not deciding firms; 0 = the firms attending).",
        unit="person-visits",
        source=SEED + ": 1,500+ person-visits (人次) at the 2017 and 2018 city conferences",
        ge=0,
        le=MAX_ENTRY,
    )

    @field_validator("date")
    @classmethod
    def _check_date(cls, value: str) -> str:
        month_index(value)
        return value


class SupplyChain(Strict):
    """Agglomeration benefits through the input-output matrix, against congestion."""

    returns: Literal["logarithmic", "diminishing", "linear", "off"] = param(
        "logarithmic",
        "Shape of the cluster benefit in the weighted count n of co-located firms: "
        "logarithmic (ln(1 + n/scale), a constant elasticity), diminishing (n/(n+scale), "
        "bounded), linear (n/scale, unbounded increasing returns) or off.",
        source=LITERATURE + ": agglomeration benefits rise with the log of cluster size "
        "(Rosenthal and Strange 2004; Combes and Gobillon 2015)",
    )
    scale: float = param(
        20,
        "Weighted firms that set the benefit's scale: ln 2 (logarithmic), half the maximum "
        "(diminishing) or 1 (linear).",
        unit="firms",
        gt=0,
        le=MAX_FIRMS,
    )
    focus_anchor: float = param(
        10,
        "Facilities a park builds for its focus sectors (common services, testing, training, "
        "specialised logistics), counted as this many weighted firms in the cluster benefit "
        "of those sectors.",
        unit="firms",
        ge=0,
        le=MAX_FIRMS,
        lever=lever(
            0,
            30,
            "Facilities for a park's focus sectors raise the cluster benefit those firms see "
            "(the park's plan as an anchor of the cluster).",
            entries=UP,
        ),
    )
    same_sector: float = param(0.5, "Weight of same-sector firms.", ge=0, le=100)
    suppliers: float = param(1.0, "Weight of co-located suppliers.", ge=0, le=100)
    customers: float = param(0.7, "Weight of co-located customers.", ge=0, le=100)
    congestion: float = param(
        1.0,
        "Land-price increase at full occupancy (price x (1 + c occupancy^2)).",
        unit="share",
        ge=0,
        le=100,
        lever=lever(
            0.0,
            5.0,
            "Land dearer as parks fill (congestion) deters entry at the fullest parks.",
            kind=UNCERTAINTY,
            entries=DOWN,
        ),
    )
    cap: float | None = param(
        None, "Upper bound on the cluster benefit (none = uncapped).", ge=0, le=MAX_FIRMS
    )


class Behaviour(Strict):
    """Behavioural parameters no document fixes; calibrated to the 2017 funnel."""

    relocation_hazard: float = param(
        0.04,
        "Annual hazard that a firm considers relocating at 2017 home costs.",
        unit="1/year",
        source=CALIBRATED,
        ge=0,
        le=1,
        lever=lever(
            0.02,
            0.08,
            "More firms considering a move means more candidates for every city.",
            kind=UNCERTAINTY,
            entries=UP,
            jobs=UP,
        ),
    )
    wage_push: float = param(
        2.0,
        "Elasticity of the relocation hazard to home wages relative to 2017.",
        source=LITERATURE,
        ge=0,
        le=20,
        lever=lever(
            0.5,
            4.0,
            "Rising coastal wages push more firms to relocate inland (seed: industrial transfer).",
            kind=UNCERTAINTY,
            entries=UP,
            jobs=UP,
        ),
    )
    search_months: int = param(
        18,
        "Months a relocation-minded firm keeps searching.",
        unit="months",
        ge=1,
        le=240,
        lever=lever(
            6, 36, "A firm that searches longer meets more offers.", kind=UNCERTAINTY, entries=UP
        ),
    )
    pitch_trigger: float = param(
        0.15,
        "Probability that a visit makes a firm not yet minded consider relocating.",
        unit="probability",
        source=CALIBRATED,
        ge=0,
        le=1,
        lever=lever(
            0.1,
            0.5,
            "Visits that prompt more firms to consider moving make more leads.",
            kind=UNCERTAINTY,
            entries=UP,
            jobs=UP,
        ),
    )
    beta_cost: float = param(
        0.5,
        "Utility per million yuan a year of net cost (costs less expected incentives) for a "
        "firm with the reference output of 100 million yuan a year; a yuan of incentive "
        "weighs as a yuan of cost.",
        unit="1/(million yuan/year)",
        source=CALIBRATED + ": incentive redundancy in the published 75-98% (Bartik 2018; "
        "Slattery & Zidar 2020), docs/levers.md",
        ge=0,
        le=MAX_EFFECT,
        lever=lever(
            0.25,
            1.0,
            "Firms weighing money more leave the costly deltas for cheaper inland parks "
            "(the seed's cost-driven relocation; incentives count as money too).",
            kind=UNCERTAINTY,
            entries=UP,
        ),
    )
    money_size_elasticity: float = param(
        0.5,
        "Elasticity of the yuan value of a utility unit with firm output: 1 = every money "
        "term a share of output (size never matters), 0 = one money scale for all firms.",
        unit="-",
        source=ASSUMPTION,
        ge=0,
        le=1,
        lever=lever(
            0.0,
            1.0,
            "Most candidates are smaller than the reference output, so a higher elasticity "
            "makes a yuan weigh more for them: the cost gap that drives relocation counts more.",
            kind=UNCERTAINTY,
            entries=UP,
        ),
    )
    beta_service: float = param(1.5, "Utility per unit of service quality.", ge=0, le=MAX_EFFECT)
    beta_credibility: float = param(
        2.5,
        "Utility per unit of credibility.",
        ge=0,
        le=MAX_EFFECT,
        source=LITERATURE + ": predictability weighs most with investors",
    )
    beta_cluster: float = param(1.2, "Utility per unit of cluster benefit.", ge=0, le=MAX_EFFECT)
    beta_fit: float = param(
        1.0, "Utility of a park whose focus includes the firm's sector.", ge=0, le=MAX_EFFECT
    )
    beta_infrastructure: float = param(
        0.8, "Utility per unit of infrastructure quality.", ge=0, le=MAX_EFFECT
    )
    home_bias: float = param(
        1.5,
        "Utility of staying home (moving costs, ties).",
        source=CALIBRATED,
        ge=-MAX_EFFECT,
        le=MAX_EFFECT,
        lever=lever(
            1.5,
            8.0,
            "A stronger pull of home keeps firms from moving anywhere (the range holds the "
            "schema's default and the calibrated value of ruzhou-2017).",
            kind=UNCERTAINTY,
            entries=DOWN,
            jobs=DOWN,
        ),
    )
    inspect_rate: float = param(
        0.7,
        "Base probability that an inspection leads to negotiation.",
        source=CALIBRATED,
        ge=0,
        le=1,
        lever=lever(
            0.5,
            0.9,
            "More inspections ending in negotiation give more contracts and entries.",
            kind=UNCERTAINTY,
            entries=UP,
            jobs=UP,
        ),
    )
    sign_rate: float = param(
        0.6,
        "Base probability that a negotiation ends in a signature.",
        source=CALIBRATED,
        ge=0,
        le=1,
        lever=lever(
            0.4,
            0.8,
            "More negotiations ending in a signature give more contracts and entries.",
            kind=UNCERTAINTY,
            entries=UP,
            jobs=UP,
        ),
    )
    contract_share: float = param(
        0.83,
        "Share of signatures that are construction contracts (the rest framework).",
        source=SEED + ": 43 contracts and 9 framework agreements",
        ge=0,
        le=1,
    )
    framework_conversion: float = param(
        0.5,
        "Probability that a framework agreement becomes a contract.",
        ge=0,
        le=1,
        lever=lever(
            0.2,
            0.8,
            "More framework agreements becoming contracts give more entries.",
            kind=UNCERTAINTY,
            entries=UP,
        ),
    )
    start_rate: float = param(
        0.85,
        "Base probability that a contract leads to construction.",
        ge=0,
        le=1,
        lever=lever(
            0.6,
            0.95,
            "More contracts leading to construction give more entries.",
            kind=UNCERTAINTY,
            entries=UP,
            jobs=UP,
        ),
    )
    margin_effect: float = param(
        0.5,
        "Log-odds of conversion per unit of utility margin over the next best option.",
        ge=0,
        le=MAX_EFFECT,
    )
    professionalism_effect: float = param(
        1.5,
        "Log-odds of conversion per unit of staff professionalism above 0.5.",
        ge=0,
        le=MAX_EFFECT,
    )
    service_effect: float = param(
        1.0, "Log-odds of conversion per unit of service quality above 0.5.", ge=0, le=MAX_EFFECT
    )
    rent_effect: float = param(
        20.0, "Log-odds of conversion lost per unit of informal fee share.", ge=0, le=MAX_EFFECT
    )
    inspection_months: float = param(
        1, "Months from interest to site visit.", unit="months", ge=0, le=MAX_DELAY
    )
    negotiation_months: float = param(
        2, "Months of negotiation at average professionalism.", unit="months", ge=0, le=MAX_DELAY
    )
    construction_months: float = param(
        12, "Months to build a plant.", unit="months", ge=0, le=MAX_DELAY
    )
    building_months: float = param(
        3, "Months to fit out a standard factory building.", unit="months", ge=0, le=MAX_DELAY
    )
    hoarding: float = param(
        0.2,
        "Share of firms that would hoard land without enforcement.",
        ge=0,
        le=1,
        source=SEED + ": attracted firms enclose land and leave it idle",
        lever=lever(
            0.05,
            0.4,
            "Seed: attracted firms enclose land and leave it idle; more hoarders, more idle land.",
            kind=UNCERTAINTY,
            idle_land_ha=UP,
        ),
    )
    hoard_share: float = param(0.6, "Share of a hoarder's land left undeveloped.", ge=0, le=1)
    satisfaction_speed: float = param(
        0.1, "Monthly speed at which satisfaction approaches its target.", ge=0, le=1
    )
    broken_promise_shock: float = param(
        0.3,
        "Satisfaction lost when a promise is broken.",
        ge=0,
        le=1,
        lever=lever(
            0.1,
            0.6,
            "Seed ill 1: firms whose promises are broken grow dissatisfied and leave.",
            kind=UNCERTAINTY,
            exits=UP,
        ),
    )
    exit_hazard: float = param(
        0.03,
        "Annual exit hazard of a firm at satisfaction 0.5.",
        unit="1/year",
        ge=0,
        le=1,
        lever=lever(
            0.01,
            0.06,
            "A higher base hazard of exit closes more plants.",
            kind=UNCERTAINTY,
            jobs=DOWN,
            exits=UP,
        ),
    )
    exit_sensitivity: float = param(
        4.0, "Log-hazard of exit per unit of satisfaction below 0.5.", ge=0, le=MAX_EFFECT
    )
    reinvest_hazard: float = param(
        0.06,
        "Annual hazard of reinvesting at satisfaction 1.",
        unit="1/year",
        ge=0,
        le=1,
        lever=lever(
            0.02,
            0.12,
            "Satisfied tenants who reinvest more add jobs (seed: mutual benefit).",
            kind=UNCERTAINTY,
            jobs=UP,
        ),
    )
    reinvest_share: float = param(
        0.3, "Reinvestment as a share of the original investment and jobs.", ge=0, le=10
    )
    referral_trigger: float = param(
        0.5,
        "Probability that a partner named by a satisfied tenant starts looking for a site (a "
        "cold visit prompts one at pitch_trigger).",
        unit="probability",
        source=LITERATURE + ": a recommendation within a business network carries trust and "
        "information a cold pitch lacks (Rauch 2001, J. Econ. Lit. 39(4)); the value is an "
        "assumption",
        ge=0,
        le=1,
        lever=lever(
            0.25,
            0.75,
            "Partners who take a tenant's recommendation seriously more often come to look "
            "(以商招商).",
            kind=UNCERTAINTY,
            entries=UP,
        ),
    )
    referral_rate: float = param(
        0.04,
        "Referrals per satisfied tenant per month.",
        unit="1/month",
        ge=0,
        le=5,
        lever=lever(
            0.01,
            0.1,
            "Satisfied tenants who refer more bring more partners (以商招商).",
            kind=UNCERTAINTY,
            entries=UP,
            jobs=UP,
        ),
    )
    satisfied_level: float = param(
        0.6,
        "Satisfaction above which tenants reinvest; tenants at it refer at half the referral rate.",
        ge=0,
        le=1,
    )
    referral_spread: float = param(
        0.05,
        "Width of the rise of referrals with satisfaction: the referral rate times the "
        "logistic of (satisfaction - satisfied_level) / spread (0 = a step at the level).",
        ge=0,
        le=1,
        source=LITERATURE + ": word of mouth rises with satisfaction (Anderson 1998)",
    )
    satisfaction_base: float = param(
        0.15, "Satisfaction target with nothing in its favour.", ge=0, le=1
    )
    satisfaction_aftercare: float = param(
        0.4,
        "Satisfaction target per unit of aftercare.",
        ge=0,
        le=1,
        lever=lever(
            0.2,
            0.6,
            "Seed ill 2: aftercare that weighs more in satisfaction keeps more firms.",
            kind=UNCERTAINTY,
            exits=DOWN,
        ),
    )
    satisfaction_service: float = param(
        0.15, "Satisfaction target per unit of service quality.", ge=0, le=1
    )
    satisfaction_cluster: float = param(
        0.3, "Satisfaction target per unit of cluster benefit.", ge=0, le=1
    )
    satisfaction_fees: float = param(
        3.0, "Satisfaction target lost per unit of informal fee share.", ge=0, le=MAX_EFFECT
    )
    hoard_deterrence: float = param(
        0.5,
        "Share of would-be hoarders deterred by idle-land enforcement at the 2012 rule's fee "
        "(20% of the land price); each further 20% deters the same share of the rest.",
        ge=0,
        le=1,
        lever=lever(
            0.2,
            0.9,
            "Enforcement that deters more would-be hoarders leaves less land idle (2012 rule).",
            kind=UNCERTAINTY,
            idle_land_ha=DOWN,
        ),
    )
    linked_hoarding: float = param(
        0.5,
        "Factor on the share of hoarders where tax rebates are performance-linked.",
        unit="factor 0-1",
        source=ASSUMPTION + ": a hoarder forfeits a performance-linked rebate (Zhejiang's "
        "'standard land' contracts, 标准地); the size of the effect is not measured",
        ge=0,
        le=1,
    )
    lead_targeting: float = param(
        0.6,
        "Share of an office's visits that reach firms already looking, at professionalism 1.",
        ge=0,
        le=1,
        lever=lever(
            0.5,
            0.9,
            "Better-targeted office visits reach more firms already looking.",
            kind=UNCERTAINTY,
            entries=UP,
            jobs=UP,
        ),
    )
    conference_lead_share: float = param(
        0.3, "Share of conference invitees already looking for a site.", ge=0, le=1
    )
    agent_lead_share: float = param(
        0.6, "Share of an agent's contacts that are real leads when paid on results.", ge=0, le=1
    )
    retainer_effort: float = param(
        0.5, "Effort of agents paid a retainer, relative to agents paid on results.", ge=0, le=1
    )
    # major projects (see model/mechanisms/projects.py)
    rival_bid_rate: float = param(
        0.1,
        "Monthly probability that a rival city bids for a major project under negotiation.",
        unit="probability/month",
        source=SEED + ": good projects are captured by rivals (weak competition)",
        ge=0,
        le=1,
        lever=lever(
            0.0,
            0.3,
            "Rivals bidding more often take more of the major projects under negotiation "
            "(seed: good projects captured by rivals), which carry most jobs and taxes; the "
            "land they leave goes to smaller firms, so the count of entrants may rise.",
            kind=UNCERTAINTY,
            jobs=DOWN,
            net_fiscal_yuan=DOWN,
        ),
    )
    rival_offer_share: float = param(
        0.05,
        "Mean of a rival's offer as a share of the project's investment (offers uniform "
        "between 0 and twice the mean).",
        unit="share",
        ge=0,
        le=10,
    )
    major_negotiation_months: float = param(
        3,
        "Extra months of negotiation of a major project (case-by-case terms take longer).",
        unit="months",
        ge=0,
        le=MAX_DELAY,
    )


class World(Strict):
    """Global settings of the environment."""

    information_friction: float = param(
        1.0,
        "Information frictions: 1 = firms learn of cities only at each city's visibility, "
        "0 = every searching firm knows every city.",
        unit="score 0-1",
        ge=0,
        le=1,
    )
    capacity: Literal["limited", "unlimited"] = param("limited", "Whether park land limits entry.")
    choice: Literal["logit", "proportional"] = param(
        "logit",
        "Location choice rule: random utility (logit) or proportional attraction (Polya urn).",
    )
    urn_weight: float = param(
        1.0, "Initial weight of each park under proportional attraction.", gt=0, le=1e6
    )
    urn_increment: float = param(
        1.0, "Weight added per entrant under proportional attraction.", ge=0, le=1e6
    )
    inflation: float = param(
        0.022,
        "Annual consumer price inflation that deflates nominal wage growth, so wages, "
        "output and taxes are all in constant 2017 yuan.",
        unit="share/year",
        source=LITERATURE + ": NBS China CPI 2017-2019 (1.6%, 2.1%, 2.9%)",
        ge=-0.5,
        le=1,
        lever=lever(
            0.0,
            0.04,
            "Higher inflation slows real wage growth in the origin regions, so the wage push "
            "to relocate grows more slowly.",
            kind=UNCERTAINTY,
            entries=DOWN,
        ),
    )
    taste_scale: float = param(
        1.0,
        "Scale of the Gumbel taste shocks of the logit choice (0 = deterministic choice).",
        ge=0,
        le=MAX_EFFECT,
    )
    dynamics: Literal["pipeline", "birth_death"] = param(
        "pipeline",
        "Population dynamic: the attraction pipeline, or the birth-death urn (a fixed "
        "population in which one firm exits and one enters per replacement).",
    )
    population: int = param(
        0, "Firms placed at the start under the birth-death urn.", unit="firms", ge=0, le=MAX_FIRMS
    )
    replacements_per_month: int = param(
        1, "Exit-entry replacements per month under the birth-death urn.", ge=0, le=100_000
    )


class Mechanisms(Strict):
    """Switches for each mechanism (all on by default)."""

    pressure: bool = param(True, "Relocation pressure from rising home costs.")
    outreach: bool = param(True, "Outreach channels.")
    pipeline_delays: bool = param(True, "Stage delays in the pipeline (false = one month each).")
    conversion: bool = param(True, "Stochastic conversion at each stage (false = always converts).")
    selectivity: bool = param(True, "Project screening where governments enable it.")
    land: bool = param(True, "Land hoarding, fees and reclamation.")
    retention: bool = param(True, "Satisfaction, exits, reinvestment and referrals.")
    governance: bool = param(True, "Official turnover and commitments.")


class Programme(Strict):
    """A regional transfer programme with targets, such as Hebei's 52111 programme.

    A mover (a firm or research result from one of ``origins``) counts as *transferred* when
    it starts operating in a park of one of the programme's ``cities`` by the deadline, and
    as *commercialised* when it starts operating in any park of any destination by the
    deadline. The KPIs ``results_transferred`` and ``transfer_share`` (transferred divided by
    commercialised) are reported when this table is present.
    """

    name: str = param("", "Name of the programme.")
    name_zh: str = param("", "Name of the programme, in Chinese.")
    cities: list[str] = param([], "Receiving governments of the programme (ids).", source=SEED)
    origins: list[str] = param([], "Origin regions whose movers count (empty = all regions).")
    highlands: dict[str, list[str]] = param(
        {}, "Groups of the programme's parks: group id -> park ids.", source=SEED
    )
    target_results: int = param(
        0, "Movers to transfer by the deadline.", unit="results", source=SEED, ge=0, le=MAX_FIRMS
    )
    target_share: float = param(
        0.0,
        "Target share of commercialised movers that are transferred by the deadline.",
        unit="share 0-1",
        source=SEED,
        ge=0,
        le=1,
    )
    deadline: str = param("2020-12", "Last month counted.", unit="YYYY-MM", source=SEED)

    @field_validator("deadline")
    @classmethod
    def _check_deadline(cls, value: str) -> str:
        month_index(value)
        return value


class ScheduleEntry(Strict):
    """A lever that changes at a month boundary (see ``scenarios/schedule.py``)."""

    month: int | str = param(
        0,
        "First month with the new value: months from the start (0 = the first month) or a "
        "calendar month YYYY-MM.",
        unit="month index or YYYY-MM",
    )
    path: str = param("", "Dotted path of the lever, e.g. governments.ruzhou.service.quality.")
    value: bool | int | float | str = param(0, "The new value (checked as the field is).")


class Scenario(Strict):
    """A complete scenario."""

    title: str = param("", "Title in English.")
    title_zh: str = param("", "Title in Chinese.")
    description: str = param("", "What the scenario represents.")
    source: str = param("", "The seed passage it comes from.")
    extends: str | None = param(None, "Scenario this one extends (library name or path).")
    time: TimeSpec = Field(default_factory=TimeSpec)
    pool: PoolSpec = Field(default_factory=PoolSpec)
    world: World = Field(default_factory=World)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    supply_chain: SupplyChain = Field(default_factory=SupplyChain)
    sectors: dict[str, SectorSpec] = param({}, "Sectors, keyed by id.")
    regions: dict[str, RegionSpec] = param({}, "Origin regions, keyed by id.")
    governments: dict[str, GovernmentSpec] = param({}, "Destination cities, keyed by id.")
    parks: dict[str, ParkSpec] = param({}, "Industrial parks, keyed by id.")
    offices: dict[str, OfficeSpec] = param({}, "Resident attraction offices, keyed by id.")
    conferences: dict[str, ConferenceSpec] = param({}, "Promotion conferences, keyed by id.")
    focus: str = param("ruzhou", "Id of the government whose KPIs are reported.")
    programme: Programme | None = param(
        None, "Optional transfer programme whose targets the run checks (see `Programme`)."
    )
    schedule: list[ScheduleEntry] = param(
        [], "Levers that change during the run, each from a month on (`[[schedule]]`)."
    )

    @field_validator("sectors", "regions", "governments", "parks", "offices", "conferences")
    @classmethod
    def _check_ids(cls, value: dict) -> dict:
        for key in value:
            if not re.match(ID_PATTERN, key):
                raise ValueError(
                    f"id {key!r} must start with a lower-case letter and hold only a-z, 0-9, _"
                )
        return value

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Scenario:
        if info.context and info.context.get("defer_references"):
            return self
        problems = [f"{path}: {message}" for path, message in reference_problems(self)]
        if problems:
            raise ValueError("; ".join(problems))
        return self


def reference_problems(scenario: Scenario) -> Iterator[tuple[str, str]]:
    """Yield (field path, message) for every dangling reference and empty collection."""
    sectors, regions = set(scenario.sectors), set(scenario.regions)
    governments, parks = set(scenario.governments), set(scenario.parks)

    def check(path: str, value: str, known: set[str], kind: str):
        if value not in known:
            allowed = ", ".join(sorted(known)) or "none defined"
            yield path, f"{value!r} names no {kind} (defined: {allowed})"

    for kind, items in (("sector", sectors), ("region", regions), ("government", governments)):
        if not items:
            yield f"{kind}s", f"at least one {kind} must be defined"
    if not parks:
        yield "parks", "at least one park must be defined"
    if scenario.governments:
        yield from check("focus", scenario.focus, governments, "government")
    for sid, sector in scenario.sectors.items():
        for other in sector.suppliers:
            yield from check(f"sectors.{sid}.suppliers.{other}", other, sectors, "sector")
    for rid, region in scenario.regions.items():
        for other in region.sectors:
            yield from check(f"regions.{rid}.sectors.{other}", other, sectors, "sector")
    for pid, park in scenario.parks.items():
        yield from check(f"parks.{pid}.government", park.government, governments, "government")
        for i, sid in enumerate(park.sectors):
            yield from check(f"parks.{pid}.sectors[{i}]", sid, sectors, "sector")
        for sid in park.incumbents:
            yield from check(f"parks.{pid}.incumbents.{sid}", sid, sectors, "sector")
    for oid, office in scenario.offices.items():
        yield from check(f"offices.{oid}.government", office.government, governments, "government")
        yield from check(f"offices.{oid}.region", office.region, regions, "region")
        for i, sid in enumerate(office.sectors):
            yield from check(f"offices.{oid}.sectors[{i}]", sid, sectors, "sector")
    for cid, conf in scenario.conferences.items():
        path = f"conferences.{cid}"
        yield from check(f"{path}.government", conf.government, governments, "government")
        if conf.region or conf.kind == "roadshow":
            yield from check(f"{path}.region", conf.region, regions, "region")
        for i, sid in enumerate(conf.sectors):
            yield from check(f"{path}.sectors[{i}]", sid, sectors, "sector")
        if conf.park is not None:
            yield from check(f"{path}.park", conf.park, parks, "park")
            owner = scenario.parks[conf.park].government if conf.park in parks else None
            if owner is not None and owner != conf.government:
                yield f"{path}.park", f"{conf.park!r} belongs to {owner!r}, not {conf.government!r}"
    for gid in governments:
        if not any(p.government == gid for p in scenario.parks.values()):
            yield f"governments.{gid}", "has no park (every destination city needs at least one)"
    if scenario.programme is not None:
        yield from programme_problems(scenario, check)


def programme_problems(scenario: Scenario, check) -> Iterator[tuple[str, str]]:
    """Yield (field path, message) for every bad reference of the ``programme`` table."""
    prog = scenario.programme
    if not prog.cities:
        yield "programme.cities", "a programme needs at least one receiving government"
    for i, gid in enumerate(prog.cities):
        yield from check(f"programme.cities[{i}]", gid, set(scenario.governments), "government")
    for i, rid in enumerate(prog.origins):
        yield from check(f"programme.origins[{i}]", rid, set(scenario.regions), "region")
    seen: dict[str, str] = {}
    for hid, members in prog.highlands.items():
        if not re.match(ID_PATTERN, hid):
            yield f"programme.highlands.{hid}", "an id must start with a-z and hold a-z, 0-9, _"
        for i, pid in enumerate(members):
            path = f"programme.highlands.{hid}[{i}]"
            yield from check(path, pid, set(scenario.parks), "park")
            owner = scenario.parks[pid].government if pid in scenario.parks else None
            if owner is not None and owner not in prog.cities:
                yield path, f"{pid!r} belongs to {owner!r}, which is not in programme.cities"
            if pid in seen:
                yield path, f"{pid!r} is already in highland {seen[pid]!r}"
            seen[pid] = hid
