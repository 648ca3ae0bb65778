"""Reusable Discord UI pieces (persistent, restart-proof): the one paginator."""
