"""Analyses of many runs: comparisons, attribution, replicates, calibration, stylised facts."""
