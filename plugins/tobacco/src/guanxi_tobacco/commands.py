"""``guanxi tobacco`` (placeholder while it is written)."""

import click


@click.group()
def tobacco():
    """Tobacco pack commands: the monthly sales analysis report, promotions, grades."""
