"""replenlib.supply."""
