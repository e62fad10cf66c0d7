"""The built-in presets; importing this package registers them all."""

from . import (  # noqa: F401
    charcoal,
    comic,
    expressionist,
    impressionist,
    ink_wash,
    mosaic,
    oil,
    pencil,
    pixel_art,
    pointillist,
    pop_art,
    stained_glass,
    ukiyo_e,
    van_gogh,
    watercolor,
)
