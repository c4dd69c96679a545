"""replenlib.policy."""
