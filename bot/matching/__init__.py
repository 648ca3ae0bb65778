"""Query → ranked entries with calibrated confidence → answer / suggest / none.

Used by the CLI, `/ask`, autocomplete and keyword replies alike. Lexical matching needs only
the base install; `pip install -e .[semantic]` adds ONNX sentence embeddings fused with it.
"""

from __future__ import annotations

from bot.matching.decide import Thresholds, decide
from bot.matching.matcher import Matcher
from bot.matching.semantic import Embedder, load_embedder
from bot.matching.synonyms import Synonyms, load_synonyms

__all__ = [
    "Embedder",
    "Matcher",
    "Synonyms",
    "Thresholds",
    "decide",
    "load_embedder",
    "load_synonyms",
]
