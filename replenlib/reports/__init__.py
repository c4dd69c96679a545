"""replenlib.reports."""
