"""replenlib.demand."""
