"""Checks of the model and the experiment pipeline."""
