"""The service machinery's importable entities: calendar days and rotas.

Declared through the same ``guanxi_entities`` hook as the core's others,
so the one importer reads them; see docs/calendar.md for the formats.
"""

from __future__ import annotations

from guanxi.contributions import Entity
from guanxi.storage import service_tables as st

SERVICE_ENTITIES = (
    Entity(
        name="calendar_days",
        table=st.calendar_days,
        columns=("calendar", "day", "working", "note"),
        key=("calendar", "day"),
        required=("day", "working"),
        description="Holidays and make-up working days of the organization (calendar empty) "
                    "or of one territory (calendar = the territory).",
        order=96,
    ),
    Entity(
        name="rotas",
        table=st.rota_days,
        columns=("rota", "day", "manager_id"),
        key=("rota", "day", "manager_id"),
        required=("rota", "day", "manager_id"),
        references={"manager_id": "managers"},
        description="Who is on duty on which day (BANK-SPOTCHECK's daily leader rota).",
        order=97,
    ),
)
