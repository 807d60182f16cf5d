"""A played game for the lesson: CSV of decisions and results, and an HTML report.

``decisions.csv`` has one row per team and round with the levers it played (and whether it
submitted them or kept its last); ``results.csv`` one row per team and round with the measures
after the round; ``report.html`` a self-contained page (no file from elsewhere) with the final
leaderboard, each measure by round, and the "what happened" feed, in one language.
"""

from __future__ import annotations

import csv
import html
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ...i18n import term
from .game import MEASURES, Game
from .levers import LEVERS


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder (no half files)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def decisions_rows(game: Game) -> list[dict[str, Any]]:
    """One row per team and completed round: the levers played."""
    rows = []
    for number in range(1, game.round + 1):
        for team in game.teams:
            levers = team.decisions.get(str(number))
            if levers is None:
                continue
            rows.append({"game": game.code, "round": number, "team": team.name,
                         "league": team.league, "city": team.city, **levers})
    return rows


def results_rows(game: Game) -> list[dict[str, Any]]:
    """One row per team and completed round: the measures after it, firms won and lost."""
    rows = []
    for round_rows in game.results:
        for r in round_rows:
            rows.append({
                "game": game.code, **{k: r[k] for k in ("round", "team", "league", "city")},
                **{m: r[m] for m in MEASURES}, "incentives_yuan": r["incentives_yuan"],
                "won_from": "; ".join(f"{k}={n}" for k, n in r["won_from"].items()),
                "lost_to": "; ".join(f"{k}={n}" for k, n in r["lost_to"].items()),
            })
    return rows


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def report_html(game: Game, lang: str) -> str:
    """The game's report as one HTML page in ``lang``."""
    def t(key: str) -> str:
        return html.escape(term(f"classroom.{key}", lang))

    def table(head: list[str], body: list[list[Any]]) -> str:
        th = "".join(f"<th>{h}</th>" for h in head)
        tr = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
            for row in body
        )
        return f"<table><thead><tr>{th}</tr></thead><tbody>{tr}</tbody></table>"

    parts = [f"<h1>{t('export.title')}: {html.escape(game.code)}</h1>",
             f"<p>{html.escape(game.scenario.title)} · {game.rounds} × "
             f"{game.months_per_round} · seed {game.seed}</p>"]
    if game.results:
        last = game.results[-1]
        parts.append(f"<h2>{t('teacher.leaderboard')}</h2>")
        parts.append(table(
            [t("export.team"), t("export.city"), *[t(f"measure.{m}") for m in MEASURES]],
            [[r["team"], r["city"], *[_fmt(m, r[m]) for m in MEASURES]] for r in last],
        ))
        parts.append(f"<h2>{t('teacher.trajectories')}</h2>")
        for m in MEASURES:
            parts.append(f"<h3>{t(f'measure.{m}')}</h3>")
            teams = [team.name for team in game.teams]
            body = [[name, *[
                next((_fmt(m, r[m]) for r in rows if r["team"] == name), "")
                for rows in game.results
            ]] for name in teams]
            parts.append(table(
                [t("export.team"), *[str(i + 1) for i in range(len(game.results))]], body
            ))
    parts.append(f"<h2>{t('export.decisions')}</h2>")
    keys = [lever.key for lever in LEVERS]
    parts.append(table(
        [t("export.round"), t("export.team"), *[t(f"lever.{k}") for k in keys]],
        [[r["round"], r["team"], *[r[k] for k in keys]] for r in decisions_rows(game)],
    ))
    parts.append(f"<h2>{t('teacher.feed')}</h2><ul>")
    for item in game.feed:
        text = term(item["key"], lang).format(**item["values"])
        parts.append(f"<li>{item['round']}: {html.escape(text)}</li>")
    parts.append("</ul>")
    style = ("body{font-family:sans-serif;max-width:1000px;margin:auto;padding:1em}"
             "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
             "padding:.2em .5em;text-align:right}")
    return (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
            f'<meta charset="utf-8"><title>{t("export.title")}</title><style>{style}</style>'
            f"</head><body>{''.join(parts)}</body></html>")


def _fmt(measure: str, value: float) -> str:
    if measure == "net_fiscal_yuan":
        return f"{value / 1e6:.1f}"
    if measure == "credibility":
        return f"{value:.2f}"
    return f"{value:.0f}"


def export(game: Game, out: Path, lang: str) -> list[Path]:
    """Write ``decisions.csv``, ``results.csv`` and ``report.html`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    decision_cols = ["game", "round", "team", "league", "city", *[lever.key for lever in LEVERS]]
    result_cols = ["game", "round", "team", "league", "city", *MEASURES, "incentives_yuan",
                   "won_from", "lost_to"]
    files = {
        "decisions.csv": _csv(decisions_rows(game), decision_cols),
        "results.csv": _csv(results_rows(game), result_cols),
        "report.html": report_html(game, lang),
    }
    for name, text in files.items():
        _write(out / name, text)
    return [out / name for name in files]
