"""The simulation's outputs: KPIs and cluster measures."""
