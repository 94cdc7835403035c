"""The pieces of a .qdpx export every section shares: the namespace and archive constants, the
columns read, GUIDs derived from stored ones, and the small XML and zip writers."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zipfile

from lxml import etree

from workbench.storage.models import CODING_ANCHORS, Coding, UtteranceRow

NS = "urn:QDA-XML:project:1.0"
SIDECAR = "dyad-workbench.json"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_CODING_COLUMNS = (
    Coding.id,
    Coding.guid,
    Coding.interview_id,
    Coding.code_id,
    *CODING_ANCHORS,
    Coding.coder_id,
    Coding.created_at,
    Coding.memo,
)
_UTTERANCE_COLUMNS = (
    UtteranceRow.id,
    UtteranceRow.text,
    UtteranceRow.speaker_id,
    UtteranceRow.speaker_label,
    UtteranceRow.renders_id,
    UtteranceRow.start_ms,
    UtteranceRow.end_ms,
    UtteranceRow.language,
    UtteranceRow.needs_review,
    UtteranceRow.untranscribed_speech,
    UtteranceRow.verified,
)
SOURCE_VARIABLES = (
    ("wave", "Text"),
    ("interview", "Text"),
    ("dyad", "Text"),
    ("date", "Date"),
    ("language", "Text"),
    ("session", "Integer"),
    ("status", "Text"),
)


def derived_guid(base: str, what: str) -> str:
    """A GUID derived from a stored one: the same every export, different per purpose."""
    return str(uuid.uuid5(uuid.UUID(base), what))


def _e(parent: etree._Element, tag: str, **attrs: str | None) -> etree._Element:
    node = etree.SubElement(parent, f"{{{NS}}}{tag}")
    for key, value in attrs.items():
        if value is not None:
            node.set(key, value)
    return node


def _when(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """Characters XML 1.0 cannot hold (control characters) become U+FFFD; lengths stay."""
    return _NOT_XML.sub("\ufffd", text)


def _attr_var(name: str) -> str:
    """The variable of a fixed attribute, kept apart from the variables this export defines."""
    reserved = name in ("role", "dyad", "consent") or name.startswith("source ")
    return f"{name} (attribute)" if reserved else name


def _memo_name(about: str, names: dict[str, str]) -> str:
    kind, _, ref = about.partition(":")
    return f"Memo on {kind} {names.get(ref, ref)}".strip() if ref else "Memo on the project"


def _variable_value(parent: etree._Element, guid: str, kind: str, value: str) -> None:
    node = _e(parent, "VariableValue")
    _e(node, "VariableRef", targetGUID=guid)
    _e(node, f"{kind}Value").text = _clean(value)


def _typed(value: str, value_type: str) -> tuple[str, str]:
    """(REFI type, lexical value) of a stored attribute."""
    if value_type == "number":
        try:
            int(value)
        except ValueError:
            try:
                float(value)
            except ValueError:
                return "Text", value
            if value.strip().lower() not in ("nan", "inf", "-inf", "infinity", "-infinity"):
                return "Float", value.strip()
            return "Text", value
        return "Integer", value.strip()
    return "Text", value


def _write(z: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    z.writestr(info, data)
