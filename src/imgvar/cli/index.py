"""The command list, kept free of heavy imports so the top-level help prints instantly."""

from __future__ import annotations

TAGLINE = "Make variations of an image from a prompt: restyle it, or put its subject somewhere new."

# (name, one-line summary); the Typer app uses the same summaries.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("run", "Apply a free-text prompt: analyse it, then restyle/recontext/adjust and describe the result."),
    ("analyze", "Show the plan a prompt becomes (sub-tasks and their arguments) and facts about the image."),
    ("stylize", "Restyle the whole image with a named style or a style phrase."),
    ("recontext", "Keep the subject, change its setting: a new background, or the same one at night, in snow..."),
    ("batch", "Run many images from a CSV/JSON Lines manifest or a glob: parallel, resumable, one budget."),
    ("cutout", "Cut the subject out onto transparency, or write its matte (white = subject)."),
    ("styles", "List the offline style presets."),
    ("config", "Show the effective configuration and where each value came from."),
    ("runs", "List recent runs from the run log."),
    ("store", "Look after the store: list runs, fetch an output, sizes, prune old results, sync to Azure."),
    ("cost", "Show what paid calls cost, by day, model and engine, against the budgets."),
    ("models", "List the downloadable models (the subject matte, CLIP) and download their weights."),
    ("doctor", "Show versions, the device, which engines and models are usable, and the installed size."),
)

SUMMARY = dict(COMMANDS)

EXAMPLES = (
    'imgvar run photo.png "in Van Gogh style"',
    'imgvar analyze photo.png "put the cat on a beach at sunset, in watercolor" --json',
    'imgvar recontext cutout.png "on a beach" --background beach.jpg --out on-the-beach.png',
)

# Two or three examples a command's help ends with.
COMMAND_EXAMPLES: dict[str, tuple[str, ...]] = {
    "run": ('imgvar run photo.png "in Van Gogh style"',
            'imgvar run photo.png "pencil sketch, a bit darker" --out sketch.jpg',
            'imgvar run photo.png "put the dog on a beach at sunset" --dry-run'),
    "analyze": ('imgvar analyze photo.png "put the cat on a beach at sunset, in watercolor"',
                'imgvar analyze photo.png "mets le chat sur une plage, façon Van Gogh" --json'),
    "stylize": ("imgvar stylize photo.png \"van gogh\" --strength 0.7",
                "imgvar stylize photo.png --style-image painting.jpg",
                "cat photo.png | imgvar stylize - pencil > sketch.png"),
    "recontext": ('imgvar recontext photo.jpg "on a beach" --background beach.jpg',
                  'imgvar recontext photo.jpg "at night in the snow"',
                  'imgvar recontext photo.jpg "small, on the left" --background street.jpg --save-mask mask.png'),
    "cutout": ("imgvar cutout photo.jpg", "imgvar cutout photo.jpg --mask-only --out mask.png",
               "imgvar cutout photo.jpg --matte classic --json"),
    "batch": ("imgvar batch photos.csv --out results --jobs 2 --sheet results/sheet.png",
              "imgvar batch --glob 'photos/*.jpg' --prompt \"in Van Gogh style\" --out results",
              "imgvar batch photos.jsonl --out results --engine openai --max-cost 2 --json > results.jsonl"),
    "models": ("imgvar models list", "imgvar models pull matte", "imgvar models pull clip"),
    "styles": ("imgvar styles", "imgvar styles --json"),
    "runs": ("imgvar runs -n 5", "imgvar runs --json"),
    "store": ("imgvar store get 20261206T0255 --out result.png", "imgvar store prune --older-than 30",
              "imgvar store sync --store azure"),
    "cost": ("imgvar cost", "imgvar cost --days 7 --json", "imgvar cost --prices"),
    "config": ("imgvar config show", "imgvar config show --json", "imgvar config path"),
}


def epilog(command: str) -> str:
    """The examples block that ends a command's help."""
    return "\n".join(("Examples:", *(f"  {e}" for e in COMMAND_EXAMPLES.get(command, ()))))
