"""`python -m imgvar` runs the command line."""

from .cli import entry

entry()
