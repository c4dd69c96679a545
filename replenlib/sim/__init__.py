"""replenlib.sim."""
