"""replenlib.scenario."""
