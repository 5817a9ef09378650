"""Write the outcomes glossary, generated from the declared outcomes, into docs/outcomes.md and the README.

    PYTHONPATH=. python scripts/outcomes_glossary.py            # prints which files are out of step (exit 1)
    PYTHONPATH=. python scripts/outcomes_glossary.py --update   # rewrites their glossary blocks

Run it with ``--update`` after adding or changing an outcome in ``workbench/model/outcomes/builtin.py``;
``tests/model/test_outcomes.py`` fails while the files are out of step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.model.outcomes.glossary import glossary_markdown, replace_block

ROOT = Path(__file__).resolve().parents[1]
#: file -> whether its glossary is the compact one
TARGETS = {ROOT / "docs" / "outcomes.md": False, ROOT / "README.md": True}


def expected(path: Path, compact: bool) -> str:
    """The file's text with its glossary block as generated now."""
    return replace_block(path.read_text(), glossary_markdown(compact=compact), str(path.relative_to(ROOT)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="rewrite the glossary blocks")
    args = parser.parse_args(argv)
    stale = []
    for path, compact in TARGETS.items():
        text = expected(path, compact)
        if text != path.read_text():
            if args.update:
                path.write_text(text)
                print(f"wrote {path.relative_to(ROOT)}")
            else:
                stale.append(str(path.relative_to(ROOT)))
    if not args.update:
        print("in step" if not stale else f"out of step: {', '.join(stale)}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
