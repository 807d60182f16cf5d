"""The teaching page's sliders stay within the ranges the scenario schema allows."""

from __future__ import annotations

import pytest

from zhaoshang.scenarios.ranges import scenario_range
from zhaoshang.ui.levers import LEVERS

SLIDERS = [lever for lever in LEVERS if lever.kind != "Checkbox"]


def test_the_page_has_sliders():
    assert len(SLIDERS) >= 5


@pytest.mark.parametrize("lever", SLIDERS, ids=[lever.name for lever in SLIDERS])
def test_every_slider_lies_within_its_field_range(lever):
    allowed = scenario_range(f"governments.focus.{lever.path}")
    assert allowed is not None, f"{lever.path} declares no range"
    assert allowed.contains(lever.low) and allowed.contains(lever.high), (
        f"slider {lever.name} [{lever.low}, {lever.high}] leaves {allowed.text()}"
    )
    assert lever.low < lever.high and 0 < lever.step <= lever.high - lever.low
