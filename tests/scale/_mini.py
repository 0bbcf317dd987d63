"""The small scenario the scale-out tests run, and their root seed."""

from pathlib import Path

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
SEED = 7
