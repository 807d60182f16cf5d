"""The simulation: the Mesa model, its monthly schedule and one module per mechanism."""

from .kernel_cache import refresh

refresh()  # before any kernel is loaded from the cache (see kernel_cache)

from .model import AttractionModel  # noqa: E402

__all__ = ["AttractionModel"]
