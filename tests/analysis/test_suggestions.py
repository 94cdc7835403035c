"""Theme suggestions: groupings with their reasons, deterministic, never applied by themselves."""

from __future__ import annotations

from workbench.analysis.suggestions import suggest_themes
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.themes import list_themes
from workbench.coding.transcripts import interview_text
from workbench.storage.project import Project

from ..helpers import interview_with

LINES = [
    ("P01", "I cannot sleep, the nightmares wake me every night and I lie awake."),
    ("P01", "My brother is in detention and my mother is alone in the town."),
    ("P01", "The nightmares come back when I sleep, every single night."),
    ("P01", "I call my mother and ask about my brother every week."),
]
CODES = {
    "Nightmares": (
        "Dreams that wake the participant at night",
        ["nightmares wake me", "nightmares come back"],
    ),
    "Sleep loss": (
        "Not sleeping, lying awake at night",
        ["cannot sleep", "when I sleep, every single night"],
    ),
    "Brother": (
        "Worry about the brother in detention",
        ["brother is in detention", "ask about my brother"],
    ),
    "Mother": ("Worry about the mother left behind", ["mother is alone", "I call my mother"]),
}


def test_suggestions_group_related_codes_with_reasons(project: Project) -> None:
    interview_with(project, "I1", LINES)
    full = interview_text(project, "I1")
    for name, (definition, quotes) in CODES.items():
        add_code(project, name, definition=definition)
        for quote in quotes:
            at = full.index(quote)
            apply_code(project, "I1", at, at + len(quote), name)
    suggestions = suggest_themes(project)
    groups = [set(g.codes) for g in suggestions]
    assert {"Nightmares", "Sleep loss"} in groups
    assert not any({"Nightmares", "Brother"} <= g for g in groups)
    sleep = next(g for g in suggestions if set(g.codes) == {"Nightmares", "Sleep loss"})
    assert "night" in " ".join(sleep.shared_terms) and sleep.reasons
    assert suggest_themes(project) == suggestions  # deterministic
    assert list_themes(project) == []  # suggestions are never applied by themselves


def test_suggestions_ignore_the_codebooks_own_template(project: Project) -> None:
    """Definitions written from one template ("Code here when the talk fits a child-focused
    account…") share words that say nothing about which codes belong together."""
    interview_with(project, "I1", LINES)
    full = interview_text(project, "I1")
    template = "Code here when the talk fits a child focused account of work: {}"
    for name, (definition, quotes) in CODES.items():
        add_code(project, name, definition=template.format(definition))
        for quote in quotes:
            at = full.index(quote)
            apply_code(project, "I1", at, at + len(quote), name)
    suggestions = suggest_themes(project)
    assert {"Nightmares", "Sleep loss"} in [set(g.codes) for g in suggestions]
    said = " ".join(" ".join(g.shared_terms) for g in suggestions)
    for boilerplate in ("code", "talk", "fits", "child", "focused", "account", "work"):
        assert boilerplate not in said.split(), said
