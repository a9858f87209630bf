"""Where shipped data (plans, result categories, calendars) is found.

The ``plans/`` folder ships inside the package as ``jcdraw.plans`` (see pyproject's package-dir), so it
is found after any ``pip install`` from any working directory. A ``./plans/`` folder in the working
directory, where staff keep their own edited plans, is searched first.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def builtin_plans_dir() -> Path:
    """The plans folder shipped with jcdraw."""
    return Path(str(resources.files("jcdraw._plans")))


def plan_dirs(cwd: Path | None = None) -> list[Path]:
    """Folders searched for plan, calendar and category files: ./plans first, then the shipped one."""
    local = (cwd or Path.cwd()) / "plans"
    builtin = builtin_plans_dir()
    dirs = [local] if local.is_dir() else []
    if not dirs or local.resolve() != builtin.resolve():
        dirs.append(builtin)
    return dirs
