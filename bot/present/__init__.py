"""Presentation: replies and moderator views as Discord embed dicts (`embeds`, `curation`,
`history`) and as CLI text / `--json` (`terminal`). Pure functions of core types; the core
(`bot/` outside this package) never imports it."""
