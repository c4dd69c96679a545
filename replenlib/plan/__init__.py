"""replenlib.plan."""
