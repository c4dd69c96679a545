"""replenlib.store."""
