"""Diagrams: generated from the table, deterministic, invalid pairs apart, ignores left out;
SVG rendering needs the Graphviz ``dot`` program and says so when it is missing."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from tradeswarm.actors.fsm.diagram import (
    DiagramError,
    render_svg,
    to_dot,
    to_mermaid,
    transition_label,
)
from tradeswarm.actors.fsm.engine import IGNORE, When
from tradeswarm.scenarios.strategies.sma_crossover import STRATEGY

SMA_MERMAID = """\
stateDiagram-v2
    [*] --> FLAT
    FLAT --> ENTRY_PENDING : bar [crosses_up] / buy_quantity
    FLAT --> FLAT : bar [else]
    ENTRY_PENDING --> LONG : filled
    ENTRY_PENDING --> ENTRY_PENDING : partially_filled
    ENTRY_PENDING --> LONG : cancelled [holds_long]
    ENTRY_PENDING --> FLAT : cancelled [else]
    ENTRY_PENDING --> LONG : rejected [holds_long]
    ENTRY_PENDING --> FLAT : rejected [else]
    LONG --> EXIT_PENDING : bar [crosses_down] / sell_all
    LONG --> LONG : bar [else]
    EXIT_PENDING --> FLAT : filled
    EXIT_PENDING --> EXIT_PENDING : partially_filled
    EXIT_PENDING --> LONG : cancelled [holds_long]
    EXIT_PENDING --> FLAT : cancelled [else]
    EXIT_PENDING --> LONG : rejected [holds_long]
    EXIT_PENDING --> FLAT : rejected [else]
    note right of FLAT
        invalid: filled, partially_filled, cancelled, rejected
    end note
    note right of LONG
        invalid: filled, partially_filled, cancelled, rejected
    end note
"""

SMA_DOT = """\
digraph "sma_crossover" {
    rankdir=LR;
    node [shape=box, style=rounded, fontname="Helvetica"];
    edge [fontname="Helvetica", fontsize=10];
    "__start__" [shape=point, label=""];
    "FLAT" [label="FLAT"];
    "ENTRY_PENDING" [label="ENTRY_PENDING"];
    "LONG" [label="LONG"];
    "EXIT_PENDING" [label="EXIT_PENDING"];
    "__start__" -> "FLAT";
    "FLAT" -> "ENTRY_PENDING" [label="bar [crosses_up] / buy_quantity"];
    "FLAT" -> "FLAT" [label="bar [else]"];
    "ENTRY_PENDING" -> "LONG" [label="filled"];
    "ENTRY_PENDING" -> "ENTRY_PENDING" [label="partially_filled"];
    "ENTRY_PENDING" -> "LONG" [label="cancelled [holds_long]"];
    "ENTRY_PENDING" -> "FLAT" [label="cancelled [else]"];
    "ENTRY_PENDING" -> "LONG" [label="rejected [holds_long]"];
    "ENTRY_PENDING" -> "FLAT" [label="rejected [else]"];
    "LONG" -> "EXIT_PENDING" [label="bar [crosses_down] / sell_all"];
    "LONG" -> "LONG" [label="bar [else]"];
    "EXIT_PENDING" -> "FLAT" [label="filled"];
    "EXIT_PENDING" -> "EXIT_PENDING" [label="partially_filled"];
    "EXIT_PENDING" -> "LONG" [label="cancelled [holds_long]"];
    "EXIT_PENDING" -> "FLAT" [label="cancelled [else]"];
    "EXIT_PENDING" -> "LONG" [label="rejected [holds_long]"];
    "EXIT_PENDING" -> "FLAT" [label="rejected [else]"];
    subgraph "cluster_invalid" {
        label="invalid: an FsmError if it happens";
        style=dashed; fontname="Helvetica";
        "__invalid__" [shape=plaintext, label="FLAT: filled, partially_filled, cancelled, rejected\\lLONG: filled, partially_filled, cancelled, rejected\\l"];
    }
}
"""  # noqa: E501


def test_the_mermaid_diagram_of_sma_crossover_is_pinned() -> None:
    assert to_mermaid(STRATEGY) == SMA_MERMAID


def test_the_dot_diagram_of_sma_crossover_is_pinned() -> None:
    assert to_dot(STRATEGY) == SMA_DOT


def test_ignored_pairs_are_left_out_of_both_diagrams() -> None:
    assert (STRATEGY.table[("FLAT", "session_close")]) is IGNORE
    assert "session_close" not in to_mermaid(STRATEGY) + to_dot(STRATEGY)


def test_an_unguarded_transition_is_an_else_only_beside_guarded_ones() -> None:
    guarded = When("B", lambda context, event: True)
    assert transition_label("bar", When("A"), (When("A"),)) == "bar"
    assert transition_label("bar", When("A"), (guarded, When("A"))) == "bar [else]"


def test_mermaid_labels_escape_characters_it_reads_as_markup() -> None:
    table = {**STRATEGY.table, ("FLAT", "bar"): (When("LONG", lambda context, event: True),)}
    mermaid = to_mermaid(replace(STRATEGY, table=table))
    assert "FLAT --> LONG : bar [#lt;lambda#gt;]" in mermaid


def test_terminal_states_are_drawn_as_ends() -> None:
    strategy = replace(STRATEGY, terminal=frozenset({"LONG"}))
    assert "    LONG --> [*]\n" in to_mermaid(strategy)
    assert '"LONG" [label="LONG", peripheries=2];' in to_dot(strategy)


def test_a_quote_in_a_name_is_escaped_in_dot() -> None:
    assert to_dot(replace(STRATEGY, name='my "best"')).startswith('digraph "my \\"best\\"" {')


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_the_dot_diagram_renders_to_svg() -> None:
    svg = render_svg(to_dot(STRATEGY))
    assert b"<svg" in svg
    assert b"EXIT_PENDING" in svg


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_dot_text_graphviz_cannot_read_is_a_diagram_error() -> None:
    with pytest.raises(DiagramError, match="Graphviz 'dot' failed"):
        render_svg("digraph {")


def test_rendering_without_graphviz_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(DiagramError, match="install Graphviz"):
        render_svg(to_dot(STRATEGY))
