"""``python -m sen_rules``: the command line."""

from .cli import run

run()
