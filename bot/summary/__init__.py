"""Expert-answer summaries: an entry's answers → points with supporters, and disagreements.

    from bot.summary import summarize, effective_summary, summary_to_dict, summary_from_dict

See docs/summaries.md for how it works and how to curate a summary in YAML.
"""

from __future__ import annotations

from bot.summary.core import effective_summary, summarize
from bot.summary.serialize import format_summary, summary_from_dict, summary_to_dict

# Bumped whenever the automatic summary of an unchanged entry can come out differently; the
# store should recompute stored automatic summaries when it changes.
SUMMARY_VERSION = 21


def clear_caches() -> None:
    """Empty the summariser's memo tables (clauses, stances, stems, contradictions): after
    summarising a whole store at once they hold tens of MB nothing will ask for again."""
    from bot.summary import claims, contradiction, sentences, stance

    for module in (claims, contradiction, sentences, stance):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


__all__ = [
    "SUMMARY_VERSION",
    "clear_caches",
    "effective_summary",
    "format_summary",
    "summarize",
    "summary_from_dict",
    "summary_to_dict",
]
