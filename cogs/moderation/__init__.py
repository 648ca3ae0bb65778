"""The moderator plugin: the `/faq` command group. Thin glue over `bot.service.FaqService` and
`bot.curation` (the pure logic: drafts, near-duplicates, imports, embeds).

Load it with `await bot.load_extension("cogs.moderation")`. Discord shows `/faq` only to members
with Manage Server; every command, button and modal checks again on this side (Manage Server, or
the moderator role from `/faq settings` or `discord.moderator_role_id`).

Persistent buttons (custom_id ≤ 100 characters, no in-memory state):
  faqm:ls:pg:<page>:<scope>:<filter>  /faq list pages (the shared paginator, cogs/ui/paginator.py)
  faqm:rm:<1|0>:<id>                confirm / cancel a removal
  faqm:ra:<1|0>:<n>:<rev>:<id>      confirm / cancel removing answer n (refused after an edit)
  faqm:ua:<query key>:<id>          /faq stats: add an unanswered query as a phrasing of <id> (a
                                    global entry: this server's own phrasing)
  faqm:gp:<id>, faqm:gh:<1|0>:<id>  a global entry: edit this server's phrasings, hide / show (globals.py)
  faqm:pd:<ok|alias|edit|no>:<token> confirm a pending draft (import preview, near-duplicate add,
                                    byline preview: edit reopens the form as typed);
                                    the draft itself is kept in memory for 15 minutes

Modules: `access` (permission checks, replies, errors), `drafts` (pending confirmations),
`buttons` (persistent buttons), `modals` (add / answer / edit forms), `cog` (the commands).
"""

from __future__ import annotations

from cogs.moderation.access import REFUSAL
from cogs.moderation.cog import ModerationCog, setup, teardown
from cogs.moderation.drafts import Pending

__all__ = ["REFUSAL", "ModerationCog", "Pending", "setup", "teardown"]
