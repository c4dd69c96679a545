"""replenlib.viz."""
