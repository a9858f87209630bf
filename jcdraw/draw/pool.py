"""What a draw draws from: the task's eligible entities, inspectors and binding recusals, fingerprinted.

The pool is what a commitment (``draw --prepare``) fixes before the seed exists and what a draw is
checked against: entities by ``pool_sha256``, inspectors and recusals by the fingerprints specified
in ``jcdraw.draw.algorithm``. The registry is validated first; any error stops here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from jcdraw import messages
from jcdraw.draw.algorithm import inspector_lines, lines_sha256, pool_sha256, recusal_lines
from jcdraw.draw.readiness import only_concerning
from jcdraw.draw.tickets import SEPARATOR
from jcdraw.errors import InputProblems
from jcdraw.plans.load import with_year_plans
from jcdraw.plans.model import Plan, Task
from jcdraw.problems import Problem
from jcdraw.registry.eligibility import eligible_entities, eligible_inspectors
from jcdraw.registry.load import Registry, load_registry


class RegistryHasErrors(InputProblems):
    """The registry failed validation; the draw did not start."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass
class Pool:
    """The eligible entities and inspectors of one task, with the registry they came from."""

    registry: Registry
    plan: Plan
    task: Task
    entities: pd.DataFrame  # uscc, risk_class, name, region
    inspectors: pd.DataFrame  # badge, department, inspector_name, qualified
    sha256: str
    warnings: list[Problem] = field(default_factory=list)

    @cached_property
    def entity_lines(self) -> list[str]:
        """The entity pool as sorted ``{code}|{class}`` lines (what ``sha256`` fingerprints)."""
        codes, classes = self.entities["uscc"].tolist(), self.entities["risk_class"].tolist()
        return sorted(f"{u}{SEPARATOR}{c}" for u, c in zip(codes, classes, strict=True))

    @cached_property
    def inspector_lines(self) -> list[str]:
        """The inspector pool as sorted ``{badge}|{department}`` lines."""
        return inspector_lines(self.inspectors)

    @property
    def inspectors_sha256(self) -> str:
        return lines_sha256(self.inspector_lines)

    @cached_property
    def recusal_lines(self) -> list[str]:
        """The recusals that can bind this draw, as sorted ``{badge}|{code}`` lines."""
        return recusal_lines(self.registry.recusals, self.inspectors["badge"], self.entities["uscc"])

    @property
    def recusals_sha256(self) -> str:
        return lines_sha256(self.recusal_lines)


def load_pool(registry_path: Path, plan: Plan, task_no: int, *, as_of: dt.date) -> Pool:
    """Validate the registry and compute the task's eligible pool; refuse on registry errors."""
    task = plan.task(task_no)
    registry = load_registry(registry_path, with_year_plans([plan]), as_of=as_of)
    found = only_concerning(registry, [(plan, [task])]).finished()
    errors = [p for p in found if p.severity == "error"]
    if errors:
        raise RegistryHasErrors(
            messages.DRAW_REGISTRY_ERRORS.format(path=registry_path, count=len(errors)), found
        )
    entities = eligible_entities(registry, plan, task)[["uscc", "risk_class", "name", "region"]]
    entities = entities.astype({"uscc": str, "risk_class": str}).reset_index(drop=True)
    inspectors = eligible_inspectors(registry, task)[["badge", "department", "inspector_name"]].copy()
    inspectors["badge"] = inspectors["badge"].astype(str)
    inspectors["qualified"] = True
    warnings = [p for p in found if p.severity != "error"]
    return Pool(
        registry, plan, task, entities, inspectors.reset_index(drop=True), pool_sha256(entities), warnings
    )


def class_counts(entities: pd.DataFrame) -> dict[str, int]:
    """Eligible entities per risk class, classes in sorted order."""
    return {str(k): int(v) for k, v in entities["risk_class"].value_counts().sort_index().items()}
