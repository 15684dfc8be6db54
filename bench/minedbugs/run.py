#!/usr/bin/env python3
"""Score losslint on the mined wrong-axis bugs of this folder (cases.json, layouts/).

Runs /work/shared/realbugs/score.py's logic (imported, not copied) with its CASES and LAYOUTS
pointed at this folder. Same arguments and output as score.py; the last line is its score line.

  LOSSLINT_MIRRORS=/work/.mirror python bench/minedbugs/run.py .venv/bin/losslint [score.py options]

Set REALBUGS_DIR to use a score.py from another folder.
"""
import importlib.util
import os
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the scorer's folder and of this one
HERE = Path(__file__).resolve().parent
SCORER = Path(os.environ.get("REALBUGS_DIR", "/work/shared/realbugs")) / "score.py"


def load_scorer():
    if not SCORER.is_file():
        sys.exit(f"run.py: no scorer at {SCORER} (set REALBUGS_DIR)")
    spec = importlib.util.spec_from_file_location("realbugs_score", SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def absolutise_command(argv: list[str]) -> None:
    """score.py runs losslint inside temporary folders, so a relative command such as
    `.venv/bin/losslint` would not be found there: make its first word absolute."""
    if len(argv) > 1 and not argv[1].startswith("-"):
        words = argv[1].split(" ", 1)
        if os.sep in words[0] and Path(words[0]).exists():
            words[0] = str(Path(words[0]).resolve())
            argv[1] = " ".join(words)


def main() -> int:
    absolutise_command(sys.argv)
    score = load_scorer()
    score.CASES = HERE / "cases.json"
    score.LAYOUTS = HERE / "layouts"
    return score.main()


if __name__ == "__main__":
    sys.exit(main())
