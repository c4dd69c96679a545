"""replenlib.kpi."""
