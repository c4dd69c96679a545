"""replenlib.pipeline."""
