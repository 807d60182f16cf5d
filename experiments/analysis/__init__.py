"""Analyses of runs."""
