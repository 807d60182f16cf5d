"""Experiment designs: schema, loading, sampling methods, an experiment from file to results."""
