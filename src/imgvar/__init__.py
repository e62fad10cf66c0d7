"""imgvar: variations of an image from a prompt — restyled or recontextualised — with an output prompt.

    import imgvar
    result = imgvar.run("photo.png", "in Van Gogh style")
    print(result.output_prompt, result.output)

The public functions load lazily so that `import imgvar` (and `imgvar --help`)
stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "analyze", "dry_run", "recontext", "run", "stylize", "ImgvarError", "ExitCode"]


def __getattr__(name: str) -> Any:
    if name in {"run", "analyze", "stylize", "recontext", "dry_run"}:
        from . import api

        return getattr(api, name)
    if name in {"ImgvarError", "ExitCode"}:
        from . import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'imgvar' has no attribute {name!r}")
