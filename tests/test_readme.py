"""The README and the texts shown to staff name only commands and options that exist, every command is
documented with Chinese help, and the README's first steps work as written."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import ROOT

from jcdraw import messages
from jcdraw.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")


def registered() -> dict[str, Any]:
    """Command path ("validate", "template registry") → click command."""
    found: dict[str, Any] = {}

    def walk(group: Any, prefix: str) -> None:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")
            else:
                found[f"{prefix}{name}"] = command

    walk(typer.main.get_command(app), "")
    return found


COMMANDS = registered()


def options_of(command: Any) -> set[str]:
    return {"--help"} | {opt for p in command.params for opt in [*p.opts, *p.secondary_opts]}


def invocations(text: str) -> Iterator[list[str]]:
    """Token lists after ``jcdraw`` in inline code and shell blocks (comments dropped)."""
    blocks = re.findall(r"```(?:bash|sh|text)?\n(.*?)```", text, flags=re.S)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    for snippet in [line for block in blocks for line in block.splitlines()] + spans:
        for part in snippet.split("&&"):
            words = _split(part.split("#")[0])
            starts = [i for i, w in enumerate(words) if w == "jcdraw" or w.endswith("/jcdraw")]
            if starts:
                yield words[starts[0] + 1 :]


def _split(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:  # a Windows path (.venv\Scripts\) or prose: plain words will do
        return command.split()


def resolve(words: list[str]) -> tuple[str, list[str]]:
    """The command path named by ``words`` and the options used with it."""
    path = words[0] if words else ""
    if path == "template" and len(words) > 1:
        path = f"template {words[1]}"
    return path, [w.split("=")[0] for w in words if w.startswith("--")]


README_CALLS = [resolve(words) for words in invocations(README) if words]
MESSAGE_TEXTS = [value for name, value in vars(messages).items() if name.isupper() and isinstance(value, str)]
MESSAGE_TEXTS += [template for _, template in messages.PROBLEMS.values()]
MESSAGE_CALLS = [
    resolve(match.split())
    for text in MESSAGE_TEXTS
    for match in re.findall(r"jcdraw ([a-z][^，。；）”\n]*)", text)  # not "jcdraw {command}" or prose
]


def test_readme_mentions_commands_at_all() -> None:
    assert {path for path, _ in README_CALLS} >= {"validate", "plans", "init", "template registry"}


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_chinese_help_and_is_in_the_readme(path: str) -> None:
    command = COMMANDS[path]
    assert command.help and CJK.search(command.help), f"jcdraw {path} has no Chinese help"
    for param in command.params:
        if param.param_type_name == "option" and "--help" not in param.opts:
            assert param.help and CJK.search(param.help), f"jcdraw {path} {param.opts[0]} has no Chinese help"
    assert f"jcdraw {path}" in README, f"jcdraw {path} is not documented in README.md"


@pytest.mark.parametrize(("path", "options"), README_CALLS, ids=[" ".join([p, *o]) for p, o in README_CALLS])
def test_readme_names_real_commands_and_options(path: str, options: list[str]) -> None:
    assert path in COMMANDS, f"README.md documents jcdraw {path}, which does not exist"
    unknown = [o for o in options if o not in options_of(COMMANDS[path])]
    assert not unknown, f"README.md uses {unknown} with jcdraw {path}"


@pytest.mark.parametrize(
    ("path", "options"), MESSAGE_CALLS, ids=[" ".join([p, *o]) for p, o in MESSAGE_CALLS]
)
def test_messages_name_real_commands_and_options(path: str, options: list[str]) -> None:
    assert path in COMMANDS, f"a message tells staff to run jcdraw {path}, which does not exist"
    unknown = [o for o in options if o not in options_of(COMMANDS[path])]
    assert not unknown, f"a message uses {unknown} with jcdraw {path}"


def test_readme_quick_start_validates_the_example(run_cli: Any) -> None:
    result = run_cli(["validate", "examples/registry.xlsx"], cwd=ROOT)
    assert result.code == 0, result.output
    assert "✓ 校验通过：examples/registry.xlsx" in result.flat


def test_readme_first_steps(run_cli: Any, tmp_path: Path) -> None:
    assert run_cli(["init", "2024抽查"], cwd=tmp_path).code == 0
    workspace = tmp_path / "2024抽查"
    assert run_cli(["template", "registry", "名录库.xlsx"], cwd=workspace).code == 0
    for argv in (["plans"], ["plans", "--plan", "joint"], ["plans", "--plan", "internal"]):
        assert run_cli(argv, cwd=workspace).code == 0
    # The blank registry has nothing to draw yet: exit 1, with the problem list written.
    result = run_cli(["validate", "registry.xlsx", "--report", "问题清单.xlsx"], cwd=workspace)
    assert result.code == 1
    assert (workspace / "问题清单.xlsx").is_file()
