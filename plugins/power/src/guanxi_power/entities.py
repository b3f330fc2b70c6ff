"""The power pack's importable entities: planned outages and VIP equipment.

Both load through the core importer (``guanxi import outages FILE``,
``guanxi import equipment FILE``): the same formats, value parsing,
rejects file, upsert by ``id`` and exit statuses as the core's entities.
"""

from __future__ import annotations

from guanxi import Entity
from guanxi_power import tables
from guanxi_power.options import EQUIPMENT_KINDS, OUTAGE_KINDS

ENTITIES = (
    # rule POWER-OUTAGE
    Entity(
        name="outages",
        table=tables.outages,
        columns=("id", "kind", "starts_at", "ends_at", "feeder", "segment", "cause"),
        key=("id",),
        required=("id", "kind", "starts_at"),
        allowed={"kind": OUTAGE_KINDS},
        description="POWER-OUTAGE: planned and temporary supply interruptions (停电), with the "
                    "feeder or meter-reading segment they affect.",
        order=120,
    ),
    # rule POWER-EQUIP
    Entity(
        name="equipment",
        table=tables.equipment,
        columns=("id", "customer_id", "kind", "name", "installed_on", "repairs",
                 "last_repair_on", "patrol_manager_id", "last_patrol_on"),
        key=("id",),
        required=("id", "customer_id", "kind", "patrol_manager_id"),
        allowed={"kind": EQUIPMENT_KINDS},
        references={"customer_id": "customers", "patrol_manager_id": "managers"},
        bounds={"repairs": (0, None)},
        description="POWER-EQUIP: VIP equipment (transformers, HV lines) and its named patrol "
                    "person (日常巡查负责人).",
        order=121,
    ),
)
