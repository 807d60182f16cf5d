"""Experiments: runs, replicates, comparisons, sensitivity analysis and the command line."""
