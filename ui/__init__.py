"""The interactive teaching app (a Mesa SolaraViz page)."""
