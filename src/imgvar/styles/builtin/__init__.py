"""Built-in presets; importing this package registers them."""

from . import basic  # noqa: F401
