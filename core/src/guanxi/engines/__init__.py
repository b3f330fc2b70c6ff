"""The engines: segmentation, service rules and KPIs, and the daily batch.

Each runs a contribution's ``Select`` as set-based statements inside one
transaction per contribution; no engine loops Python over customers.
"""
