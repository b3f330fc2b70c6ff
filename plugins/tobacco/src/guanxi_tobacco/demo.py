"""The tobacco demo (placeholder while it is written)."""

DEMO = ()
