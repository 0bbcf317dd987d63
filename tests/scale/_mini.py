"""The small scenario the scale-out tests run, and their root seed."""

from pathlib import Path

MINI = Path(__file__).with_name("mini.yaml")
SEED = 7
