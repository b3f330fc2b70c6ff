"""The service machinery every sector asks for: business calendars, SLA cases
with escalation and approval chains, visit planning, rotas and tracked
reports. Packs configure it through hooks and config; none writes its own.
"""
