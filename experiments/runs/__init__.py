"""Runs: the one pure run function, the executors that spread runs over workers, the store."""
