"""replenlib.trace."""
