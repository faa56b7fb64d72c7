"""Diagrams of a strategy table, generated from the table the engine runs, so the picture
cannot drift from the behaviour.

An edge is a ``When``, labelled ``event [guard] / action`` with the functions' names
(``[else]`` for the unguarded last entry of a guarded cell). ``IGNORE`` cells are left out:
they change nothing. ``INVALID`` cells are listed apart, one line per state, since drawing
them as edges would suggest they lead somewhere. Output is deterministic (declaration
order throughout), so a test can pin it and a diff of it reviews a change of strategy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator

from tradeswarm.actors.fsm.engine import INVALID, Strategy, When, transitions

_TIMEOUT_S = 30.0


class DiagramError(RuntimeError):
    """The diagram could not be rendered; the message says what to install or fix."""


def to_mermaid(strategy: Strategy) -> str:
    """A Mermaid ``stateDiagram-v2``; invalid events are notes beside their state."""
    ids = {state: _mermaid_id(state) for state in _all_states(strategy)}
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{name}" as {ids[name]}' for name in ids if ids[name] != name]
    lines.append(f"    [*] --> {_mermaid_id(strategy.initial)}")
    for state, target, label in _edges(strategy):
        lines.append(f"    {ids[state]} --> {ids[target]} : {_mermaid_text(label)}")
    lines += [
        f"    {ids[state]} --> [*]" for state in strategy.states if state in strategy.terminal
    ]
    for state, events in _invalid(strategy):
        lines += [f"    note right of {ids[state]}", f"        invalid: {events}", "    end note"]
    return "\n".join(lines) + "\n"


def to_dot(strategy: Strategy) -> str:
    """A Graphviz digraph; invalid events are listed in a dashed cluster of their own."""
    lines = [
        f"digraph {_quote(strategy.name)} {{",
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        '    "__start__" [shape=point, label=""];',
    ]
    for state in _all_states(strategy):
        extra = ", peripheries=2" if state in strategy.terminal else ""
        lines.append(f"    {_quote(state)} [label={_quote(state)}{extra}];")
    lines.append(f'    "__start__" -> {_quote(strategy.initial)};')
    for state, target, label in _edges(strategy):
        lines.append(f"    {_quote(state)} -> {_quote(target)} [label={_quote(label)}];")
    lines += _dot_invalid(strategy)
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot_text: str) -> bytes:
    """SVG from DOT text, by the Graphviz ``dot`` program (not a Python package)."""
    dot = shutil.which("dot")
    if dot is None:
        raise DiagramError(
            "the Graphviz 'dot' program is not on PATH; install Graphviz "
            "(apt-get install graphviz, brew install graphviz) or use the Mermaid diagram"
        )
    result = subprocess.run(
        [dot, "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=_TIMEOUT_S
    )
    if result.returncode != 0:
        reason = result.stderr.decode(errors="replace").strip()
        raise DiagramError(f"Graphviz 'dot' failed (exit {result.returncode}): {reason}")
    return result.stdout


def transition_label(event: str, transition: When, cell: tuple[When, ...]) -> str:
    """``event [guard] / action``; an unguarded entry is ``[else]`` only if it has rivals."""
    label = event
    if transition.guard is not None:
        label += f" [{_name(transition.guard)}]"
    elif any(other.guard is not None for other in cell):
        label += " [else]"
    if transition.action is not None:
        label += f" / {_name(transition.action)}"
    return label


def _edges(strategy: Strategy) -> Iterator[tuple[str, str, str]]:
    for state in strategy.states:
        for event in strategy.events:
            cell = transitions(strategy.table.get((state, event)))
            for transition in cell:
                yield state, transition.target, transition_label(event, transition, cell)


def _invalid(strategy: Strategy) -> Iterator[tuple[str, str]]:
    for state in strategy.states:
        events = [
            event for event in strategy.events if strategy.table.get((state, event)) is INVALID
        ]
        if events:
            yield state, ", ".join(events)


def _all_states(strategy: Strategy) -> list[str]:
    """Declared states, then any undeclared target, so a broken table still draws."""
    names = list(dict.fromkeys(strategy.states))
    for _state, target, _label in _edges(strategy):
        if target not in names:
            names.append(target)
    return names


def _dot_invalid(strategy: Strategy) -> list[str]:
    rows = "".join(f"{_escape(f'{state}: {events}')}\\l" for state, events in _invalid(strategy))
    if not rows:
        return []
    return [
        '    subgraph "cluster_invalid" {',
        '        label="invalid: an FsmError if it happens";',
        '        style=dashed; fontname="Helvetica";',
        f'        "__invalid__" [shape=plaintext, label="{rows}"];',
        "    }",
    ]


def _mermaid_id(state: str) -> str:
    return re.sub(r"\W", "_", state) or "_"


def _mermaid_text(text: str) -> str:
    """Mermaid reads ``<``, ``>`` and ``:`` in a label as markup; its entity codes are safe."""
    return text.replace("<", "#lt;").replace(">", "#gt;").replace(":", "#58;")


def _quote(text: str) -> str:
    return f'"{_escape(text)}"'


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _name(function: object) -> str:
    return getattr(function, "__name__", repr(function))
