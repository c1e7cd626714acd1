"""The worked examples shipped with the workbench, offered on its « Nouveau modèle » page.

An analyst starts from one rather than from a blank page or a repository path: each example is a complete,
valid model document (CDAP's access doctrine from the slides; the thesis's HR system, section 5.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Example:
    slug: str
    name: str
    description: str
    text: str


@cache
def bundled_examples() -> tuple[Example, ...]:
    """Every example of this folder, by file name; its name and description are read from the document."""
    examples = []
    for path in sorted(FOLDER.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        document = yaml.safe_load(text)
        examples.append(
            Example(path.stem, str(document["name"]), " ".join(str(document.get("description", "")).split()), text)
        )
    return tuple(examples)


def example(slug: str) -> Example | None:
    return next((found for found in bundled_examples() if found.slug == slug), None)
