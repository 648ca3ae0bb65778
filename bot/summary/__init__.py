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

__all__ = [
    "SUMMARY_VERSION",
    "effective_summary",
    "format_summary",
    "summarize",
    "summary_from_dict",
    "summary_to_dict",
]
