"""The simulation: the Mesa model, its monthly schedule and one module per mechanism."""

import warnings

from .kernel_cache import jit_disabled, refresh

refresh()  # before any kernel is loaded from the cache (see kernel_cache)
if jit_disabled():
    # as plain Python, the keyed hash's 64-bit products wrap around (as compiled) with a warning
    warnings.filterwarnings(
        "ignore", "overflow encountered", RuntimeWarning, r"zhaoshang\.model\.state\.streams"
    )

from .model import AttractionModel  # noqa: E402

__all__ = ["AttractionModel"]
