"""The tobacco service rules (placeholder while they are written)."""

RULES = ()
