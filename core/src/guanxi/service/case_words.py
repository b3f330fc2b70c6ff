"""The words of an SLA case: its clocks, states and the actions a person takes.

A module of its own, without the case machinery, so that the command line
can offer the actions as choices at start (``guanxi --help`` loads every
command module) without importing SQLAlchemy.
"""

from __future__ import annotations

#: The clocks a case has besides its approval steps; step names may not reuse them.
CLOCKS = ("response", "resolution", "callback")
#: What a case can be: open (clocks running), paused (the customer is
#: awaited), resolved (the callback may still be due), closed.
STATES = ("open", "paused", "resolved", "closed")
#: What a person can do to a case (``guanxi cases step ID ACTION``).
ACTIONS = ("respond", "handover", "pause", "resume", "approve", "reject", "escalate",
           "resolve", "callback", "close")
