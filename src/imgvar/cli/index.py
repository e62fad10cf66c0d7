"""The command list, kept free of heavy imports so the top-level help prints instantly."""

from __future__ import annotations

TAGLINE = "Make variations of an image from a prompt: restyle it, or put its subject somewhere new."

# (name, one-line summary); the Typer app uses the same summaries.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("run", "Apply a free-text prompt: analyse it, then restyle/recontext/adjust and describe the result."),
    ("analyze", "Show the plan a prompt becomes (sub-tasks and their arguments) and facts about the image."),
    ("stylize", "Restyle the whole image with a named style or a style phrase."),
    ("recontext", "Keep the subject, change its setting: composite it onto a new background."),
    ("styles", "List the offline style presets."),
    ("config", "Show the effective configuration and where each value came from."),
    ("runs", "List recent runs from the run log."),
    ("cost", "Show what paid calls cost, by day, model and engine, against the budgets."),
)

SUMMARY = dict(COMMANDS)

EXAMPLES = (
    'imgvar run photo.png "in Van Gogh style"',
    'imgvar analyze photo.png "put the cat on a beach at sunset, in watercolor" --json',
    "imgvar recontext cat.png \"on a beach\" --background beach.jpg --out cat-beach.png",
)
