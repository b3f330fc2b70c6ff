"""The tobacco segmentations (placeholder while they are written)."""

SEGMENTATIONS = ()
