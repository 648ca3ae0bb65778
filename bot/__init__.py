"""faqbot core: store, matching, summaries, rendering and CLI. No Discord gateway code here."""

__version__ = "0.1.0"
