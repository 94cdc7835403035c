"""The safety check of ``project.qde`` reads only its prolog (``guard_xml(prolog_only=True)``);
lxml reads the rest. These files put what the guard would have refused after the root element
(or far into a long prolog), and check they are refused all the same with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.coding.study import new_study, summary
from workbench.domain.study import StudyError
from workbench.exchange.qdpx_import import import_qdpx, import_qdpx_as_new
from workbench.exchange.qdpx_stage import _Stager
from workbench.exchange.qdpx_staged import _Staged
from workbench.exchange.safe_archive import inspect_zip

from .test_qdpx import _archive, _project_xml, _sel

_DTD = '<!DOCTYPE Project [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def _qde(tmp: Path, qde: str) -> Path:
    return _archive(tmp / "h.qdpx", {"project.qde": qde, "sources/a.txt": "abc"})


def _valid() -> str:
    return _project_xml("x", "a.txt", _sel(1, 0, 3, "abc"))


@pytest.mark.parametrize(
    ("qde", "message"),
    [
        # an undeclared entity in an attribute, then in text, after the root began
        (_valid().replace('name="Interview A"', 'name="&b;"'), "not readable XML"),
        (_valid().replace("</Project>", "<Note>&b;</Note></Project>"), "not readable XML"),
        # a document type after the root element began
        (_valid().replace("<Sets>", f"{_DTD}<Sets>"), "not readable XML"),
        # a document type behind a prolog longer than the guard's first read
        (
            '<?xml version="1.0"?><!--' + "x" * 200_000 + "-->" + _DTD + _valid(),
            "refused as unsafe",
        ),
        ("<!--" + "y" * 70_000 + "-->", "not readable XML"),  # no root element at all
    ],
)
def test_what_only_the_rest_of_the_file_could_hide_is_refused(
    qde: str, message: str, tmp_path: Path
) -> None:
    hostile = _qde(tmp_path, qde)
    before = set(tmp_path.iterdir())
    with pytest.raises(StudyError, match=message):
        import_qdpx_as_new(str(tmp_path / "new.dyad"), hostile)
    assert set(tmp_path.iterdir()) == before
    with new_study(tmp_path / "empty.dyad") as p:
        with pytest.raises(StudyError, match=message):
            import_qdpx(p, hostile)
        assert summary(p).codes == 0


def test_the_staging_parser_refuses_a_document_type_by_itself(tmp_path: Path) -> None:
    """The second line: were the guard ever to let a DTD through, the parse refuses it."""
    path = _qde(tmp_path, '<?xml version="1.0"?>' + _DTD + _valid())
    members = inspect_zip(path)
    qde = next(m for m in members if m.name == "project.qde")
    stager = _Stager(path, {m.name.casefold(): m for m in members}, _Staged(origin="", name=""))
    with pytest.raises(StudyError, match="refused as unsafe"):
        stager.parse(qde)
