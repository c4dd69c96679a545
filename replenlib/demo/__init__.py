"""Seeded, realistic demo data for replenlib (placeholder docstring, completed below)."""

from replenlib.demo.generator import DemoData, DemoSize, generate

__all__ = ["DemoData", "DemoSize", "generate"]
