"""The simulation: the Mesa model, its monthly schedule and one module per mechanism."""

from .model import AttractionModel

__all__ = ["AttractionModel"]
