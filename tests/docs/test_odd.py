"""The ODD description keeps its seven sections in order and its table matches the code."""

from pathlib import Path

from zhaoshang.scenarios.docs import BEGIN, END, parameter_table, rows

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
SECTIONS = [
    "1. Purpose and patterns",
    "2. Entities, state variables, and scales",
    "3. Process overview and scheduling",
    "4. Design concepts",
    "5. Initialization",
    "6. Input data",
    "7. Submodels",
]


def test_sections_in_order():
    text = ODD.read_text(encoding="utf-8")
    positions = [text.index(f"## {title}") for title in SECTIONS]
    assert positions == sorted(positions)


def test_parameter_table_matches_schema():
    text = ODD.read_text(encoding="utf-8")
    table = text.split(BEGIN)[1].split(END)[0].strip()
    assert table == parameter_table(), "run `python docs/generate.py` to refresh docs/ODD.md"


def test_every_parameter_has_unit_and_source_fields():
    paths = [r[0] for r in rows()]
    assert "governments.<gov>.service.quality" in paths
    assert "parks.<park>.land_ha" in paths
    assert len(paths) == len(set(paths)) > 100
