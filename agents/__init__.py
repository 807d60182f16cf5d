"""Mesa agents of the model: firms, parks and governments.

Their state lives in NumPy columns owned by the model (so every mechanism updates whole
columns at once); each agent is a view onto its row.
"""

from .firm import Firm
from .government import Government
from .park import Park

__all__ = ["Firm", "Government", "Park"]
