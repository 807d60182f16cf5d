"""The simulation's state: firm columns, places, the world, events, codes, keyed streams."""
