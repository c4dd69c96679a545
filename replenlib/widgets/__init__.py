"""replenlib.widgets."""
