"""Quote labels: how a quote is labelled in every export, and which labels give someone away.

The label is a project setting, a small template such as ``{Role}, {wave}`` ("Patient,
mid-treatment") or ``{pseudonym} ({role})``. Fields: ``pseudonym`` (the participant's
``pseudonym`` attribute, else their id), ``participant`` (the id), ``role``, ``wave``, ``dyad``,
``interview``. A field written with a capital first letter (``{Role}``) capitalises its value.

In a small study a label can single someone out ("the only interpreter-assisted patient", a role
with one member at a wave). ``label_risks`` counts, for every value the label's descriptive
fields (role, wave) can take, the distinct participants who share it — together with whether
their quotes come through an interpreter, which exports mark. Pseudonymous fields (pseudonym,
participant, dyad, interview) reveal nothing about a person and are left out of the count.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding.undo import Change, run_command
from workbench.domain.coding import Segment
from workbench.domain.study import StudyError
from workbench.storage.models import (
    Dyad,
    Interview,
    InterviewParticipantRow,
    Participant,
    ParticipantAttribute,
    Setting,
    Wave,
)
from workbench.storage.project import Project

FIELDS = ("pseudonym", "participant", "role", "wave", "dyad", "interview")
PSEUDONYMOUS = frozenset({"pseudonym", "participant", "dyad", "interview"})
"""Fields that name no real property of a person: left out of the uniqueness count."""
DEFAULT_TEMPLATE = "{participant}, {role}, {wave}"
DEFAULT_MIN_GROUP = 2
TEMPLATE_SETTING = "quote_label"
MIN_GROUP_SETTING = "quote_label_min_group"
PSEUDONYM_ATTRIBUTE = "pseudonym"


@dataclass(frozen=True, slots=True)
class LabelTemplate:
    text: str
    parts: tuple[tuple[str, str | None], ...]
    """(literal text, field as written or None), in order."""

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.lower() for _, f in self.parts if f))

    def render(self, values: Mapping[str, str], hide: frozenset[str] = frozenset()) -> str:
        out = []
        for literal, written in self.parts:
            out.append(literal)
            if written is None:
                continue
            name = written.lower()
            if name in hide:
                out.append("…")
                continue
            value = values.get(name, "")
            out.append(value[:1].upper() + value[1:] if written[:1].isupper() else value)
        return "".join(out)


def parse_template(text: str) -> LabelTemplate:
    """Parse and check a label template; unknown fields are refused with the known ones named."""
    if not text.strip():
        raise StudyError("a quote label needs at least one field, e.g. '{role}, {wave}'")
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise StudyError(
            f"the quote label {text!r} is not a template ({exc}); write fields in braces, "
            "e.g. '{role}, {wave}', and a literal brace as '{{' or '}}'"
        ) from None
    parts: list[tuple[str, str | None]] = []
    known = ", ".join(FIELDS)
    for literal, field, spec, conversion in parsed:
        if field is None:
            parts.append((literal, None))
            continue
        if field == "":
            raise StudyError(f"an empty {{}} in the quote label: name a field ({known})")
        if spec or conversion:
            raise StudyError(f"the quote label field {{{field}}} takes no format: write {{name}}")
        if field.lower() not in FIELDS or not (field.islower() or field[1:].islower()):
            raise StudyError(
                f"unknown field {{{field}}} in the quote label; the fields are {known}"
            )
        parts.append((literal, field))
    if not any(f for _, f in parts):
        raise StudyError(f"the quote label {text!r} has no field; the fields are {known}")
    return LabelTemplate(text, tuple(parts))


@dataclass(frozen=True, slots=True)
class LabelSettings:
    template: str
    min_group: int
    """Labels that fewer participants than this share are reported."""


def _read_settings(s: Session) -> LabelSettings:
    stored = {
        row.key: row.value
        for row in s.scalars(
            select(Setting).where(Setting.key.in_([TEMPLATE_SETTING, MIN_GROUP_SETTING]))
        )
    }
    min_group = stored.get(MIN_GROUP_SETTING)
    return LabelSettings(
        stored.get(TEMPLATE_SETTING, DEFAULT_TEMPLATE),
        int(min_group) if min_group and min_group.isdigit() else DEFAULT_MIN_GROUP,
    )


def label_settings(project: Project) -> LabelSettings:
    with project.session(write=False) as s:
        return _read_settings(s)


def set_quote_label(
    project: Project,
    template: str | None = None,
    *,
    min_group: int | None = None,
    coder: str | None = None,
) -> tuple[LabelSettings, Change]:
    """Set the quote label template and/or the smallest group a label should fit (undoable)."""
    if template is not None:
        parse_template(template)
    if min_group is not None and min_group < 1:
        raise StudyError("the smallest group a label should fit is at least 1 participant")

    def action(s: Session) -> LabelSettings:
        for key, value in ((TEMPLATE_SETTING, template), (MIN_GROUP_SETTING, min_group)):
            if value is None:
                continue
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=str(value)))
            elif row.value != str(value):
                row.value = str(value)
        s.flush()
        return _read_settings(s)

    what = " and ".join(
        part
        for part in (
            f"quote label {template!r}" if template is not None else "",
            f"label group of at least {min_group}" if min_group is not None else "",
        )
        if part
    )
    return run_command(project, f"set {what or 'quote label'}", action, coder=coder)


# --- labelling quotes ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    key: str
    role: str
    pseudonym: str


def _people(s: Session) -> dict[str, _Person]:
    pseudonyms = dict(
        s.execute(
            select(Participant.key, ParticipantAttribute.value)
            .join(ParticipantAttribute, ParticipantAttribute.participant_id == Participant.id)
            .where(ParticipantAttribute.name == PSEUDONYM_ATTRIBUTE)
        ).all()
    )
    return {
        p.key: _Person(p.key, p.role, pseudonyms.get(p.key) or p.key)
        for p in s.scalars(select(Participant))
    }


def _values(
    person: _Person | None, wave: str | None, dyad: str | None, interview: str
) -> dict[str, str]:
    return {
        "pseudonym": person.pseudonym if person else "unattributed",
        "participant": person.key if person else "unattributed",
        "role": person.role if person else "unattributed",
        "wave": wave or "no wave",
        "dyad": dyad or "no dyad",
        "interview": interview,
    }


class QuoteLabeller:
    """Labels segments by the project's template (read once, used for every quote)."""

    def __init__(self, settings: LabelSettings, people: Mapping[str, _Person]) -> None:
        self.settings = settings
        self.template = parse_template(settings.template)
        self._people = people

    @classmethod
    def of(cls, project: Project) -> QuoteLabeller:
        with project.session(write=False) as s:
            return cls(_read_settings(s), _people(s))

    def label_for(
        self, participants: Sequence[str], wave: str | None, dyad: str | None, interview: str
    ) -> str:
        persons = [self._people.get(p) for p in participants] or [None]
        labels = (self.template.render(_values(p, wave, dyad, interview)) for p in persons)
        return "; ".join(dict.fromkeys(labels))

    def label(self, segment: Segment) -> str:
        return self.label_for(segment.participants, segment.wave, segment.dyad, segment.interview)

    def via_interpreter(self, segment: Segment) -> bool:
        """An interpreter spoke these words for someone else (exports mark such quotes)."""

        def role(key: str) -> str | None:
            person = self._people.get(key)
            return person.role if person else None

        return any(role(s) == "interpreter" for s in segment.speakers) and any(
            role(p) != "interpreter" for p in segment.participants
        )

    def risks_of(self, segment: Segment, risks: Sequence[LabelRisk]) -> list[LabelRisk]:
        """Which of ``risks`` this segment's label falls under."""
        via = self.via_interpreter(segment)
        found = []
        for key in segment.participants:
            person = self._people.get(key)
            shown = self.template.render(_values(person, segment.wave, None, ""), hide=PSEUDONYMOUS)
            found += [
                r
                for r in risks
                if r.label == shown and r.via_interpreter == via and key in r.participants
            ]
        return list(dict.fromkeys(found))

    def export_note(self, segments: Sequence[Segment], risks: Sequence[LabelRisk]) -> str | None:
        """The sentence an export states when some of its quotes carry a too-specific label."""
        hit: dict[LabelRisk, int] = {}
        for segment in segments:
            for risk in self.risks_of(segment, risks):
                hit[risk] = hit.get(risk, 0) + 1
        if not hit:
            return None
        listed = "; ".join(
            f"'{r.label}'{' via interpreter' if r.via_interpreter else ''} "
            f"({r.shared_by} participant{'s' if r.shared_by != 1 else ''}, {n} quote"
            f"{'s' if n != 1 else ''})"
            for r, n in hit.items()
        )
        return (
            f"Quote labels ('{self.settings.template}') that fewer than "
            f"{self.settings.min_group} participants share, and may identify the speaker: "
            f"{listed}."
        )


def quote_labeller(project: Project) -> QuoteLabeller:
    return QuoteLabeller.of(project)


# --- labels that give someone away ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelRisk:
    label: str
    """The label's descriptive part (pseudonymous fields shown as "…")."""
    via_interpreter: bool
    """Quotes with this label are marked "via interpreter" in exports."""
    shared_by: int
    participants: tuple[str, ...]

    def describe(self) -> str:
        via = " (via interpreter)" if self.via_interpreter else ""
        who = "participant" if self.shared_by == 1 else "participants"
        return (
            f"'{self.label}'{via} fits only {self.shared_by} {who} ({', '.join(self.participants)})"
        )


def label_risks(
    project: Project,
    template: str | None = None,
    min_group: int | None = None,
    *,
    include_unconsented: bool = False,
) -> list[LabelRisk]:
    """Label values that fewer than ``min_group`` distinct participants share.

    Counted over every participant (not researchers) in every interview they take part in other
    than as its interviewer; the label's descriptive fields plus whether an interpreter took part
    (for everyone but the interpreter) form the value. Consented participants only, unless asked.
    """
    with project.session(write=False) as s:
        settings = _read_settings(s)
        people = _people(s)
        rows = s.execute(
            select(
                Interview.id,
                Wave.name,
                Participant.key,
                Participant.role,
                Participant.consent,
                InterviewParticipantRow.role,
            )
            .join(InterviewParticipantRow, InterviewParticipantRow.interview_id == Interview.id)
            .join(Participant, InterviewParticipantRow.participant_id == Participant.id)
            .outerjoin(Wave, Interview.wave_id == Wave.id)
        ).all()
    parsed = parse_template(template if template is not None else settings.template)
    k = min_group if min_group is not None else settings.min_group
    interpreted = {iid for iid, _, _, _, _, as_ in rows if as_ == "interpreter"}
    groups: dict[tuple[str, bool], set[str]] = {}
    for iid, wave, key, role, consent, as_ in rows:
        if as_ == "interviewer" or role == "researcher":
            continue
        if consent != "consented" and not include_unconsented:
            continue
        shown = parsed.render(_values(people[key], wave, None, ""), hide=PSEUDONYMOUS)
        via = iid in interpreted and as_ != "interpreter" and role != "interpreter"
        groups.setdefault((shown, via), set()).add(key)
    return sorted(
        (
            LabelRisk(label, via, len(members), tuple(sorted(members)))
            for (label, via), members in groups.items()
            if len(members) < k
        ),
        key=lambda r: (r.label, r.via_interpreter),
    )


@dataclass(frozen=True, slots=True)
class LabelReport:
    template: str
    fields: tuple[str, ...]
    min_group: int
    examples: tuple[str, ...]
    risks: tuple[LabelRisk, ...]


def label_report(project: Project, *, include_unconsented: bool = False) -> LabelReport:
    """The configured template, a few labels as exports will write them, and the risks."""
    labeller = quote_labeller(project)
    with project.session(write=False) as s:
        rows = s.execute(
            select(Interview.key, Wave.name, Dyad.key, Participant.key)
            .join(InterviewParticipantRow, InterviewParticipantRow.interview_id == Interview.id)
            .join(Participant, InterviewParticipantRow.participant_id == Participant.id)
            .outerjoin(Wave, Interview.wave_id == Wave.id)
            .outerjoin(Dyad, Interview.dyad_id == Dyad.id)
            .where(InterviewParticipantRow.role != "interviewer", Participant.role != "researcher")
            .order_by(Wave.position, Interview.key, Participant.key)
        ).all()
    examples = list(
        dict.fromkeys(labeller.label_for([who], wave, dyad, iv) for iv, wave, dyad, who in rows)
    )
    return LabelReport(
        labeller.settings.template,
        labeller.template.fields,
        labeller.settings.min_group,
        tuple(examples[:8]),
        tuple(label_risks(project, include_unconsented=include_unconsented)),
    )
