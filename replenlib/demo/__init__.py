"""replenlib.demo."""
