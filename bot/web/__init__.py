"""The FAQ's public web pages (issue 18): presentation and the HTTP edge over `FaqService`.

`bot.web.urls` is import-light (the Discord side links to pages with it); `bot.web.app` holds
the aiohttp application and imports Jinja2.
"""
