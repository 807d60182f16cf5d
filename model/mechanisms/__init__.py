"""The simulation's mechanisms: the monthly mechanisms, one module per mechanism."""
