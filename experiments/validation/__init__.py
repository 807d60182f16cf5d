"""Validation: the suite of special cases with known answers (``make validate``)."""
