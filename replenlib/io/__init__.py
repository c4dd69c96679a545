"""replenlib.io."""
