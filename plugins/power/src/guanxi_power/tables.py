"""The power pack's own tables, on its own MetaData (never the core's).

- ``power_outages``: planned and temporary supply interruptions and the
  feeders or meter-reading segments they affect (POWER-OUTAGE);
- ``power_equipment``: VIP equipment (transformers, HV lines) with its
  named patrol person (POWER-EQUIP);
- ``power_notices``: one outage notice per customer and outage, on the
  channel the customer's bill preference names (POWER-BILLPREF), with the
  moment it is due and the moment it was sent: the on-time notice KPI
  reads these records.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

outages = Table(
    "power_outages",
    metadata,
    Column("id", String, primary_key=True),
    Column("kind", String, nullable=False),
    Column("starts_at", DateTime, nullable=False),
    Column("ends_at", DateTime),
    Column("feeder", String),
    Column("segment", String),
    Column("cause", String),
)

equipment = Table(
    "power_equipment",
    metadata,
    Column("id", String, primary_key=True),
    Column("customer_id", String, nullable=False, index=True),
    Column("kind", String, nullable=False),
    Column("name", String),
    Column("installed_on", Date),
    Column("repairs", Integer),
    Column("last_repair_on", Date),
    Column("patrol_manager_id", String, nullable=False),
    Column("last_patrol_on", Date),
)

notices = Table(
    "power_notices",
    metadata,
    Column("outage_id", String, primary_key=True),
    Column("customer_id", String, primary_key=True),
    Column("channel", String, nullable=False),
    Column("due_at", DateTime, nullable=False),
    Column("made_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Column("reason", Text, nullable=False),
)
