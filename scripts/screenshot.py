"""Render the window on a project and save a PNG, to look at what a researcher sees.

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \
        python scripts/screenshot.py projects/demo.dyad shot.png [INTERVIEW]

The third argument may instead be ``--themes``, ``--board``, ``--timeline [DYAD]``, or
``--codes CODE`` (a code's name or path: the code tree with that code selected, its segments in
the retrieval pane, and the transcript at the first of them), or ``--search QUERY`` (the search
pane's hits, the transcript opened at the first). ``--dark`` anywhere renders the
dark theme.
"""

from __future__ import annotations

import sys
import tempfile

from PySide6.QtCore import QSettings, QTimer

from workbench.ui import theme
from workbench.ui.app import make_app
from workbench.ui.main_window import MainWindow


def main() -> int:
    dark = "--dark" in sys.argv
    if dark:
        sys.argv.remove("--dark")
    project, out = sys.argv[1], sys.argv[2]
    interview = sys.argv[3] if len(sys.argv) > 3 else None
    app = make_app()
    settings = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat)
    if dark:
        theme.apply(app, theme.DARK)
    window = MainWindow(settings)
    window.resize(1280, 800)
    window.show()
    window.open_location(project)
    if interview == "--themes":
        window.show_mode(1)
    elif interview == "--board":
        window.show_mode(3)
    elif interview == "--timeline":
        window.show_mode(2)
        if len(sys.argv) > 4:
            window.timeline.dyad.setCurrentIndex(window.timeline.dyad.findData(sys.argv[4]))
    elif interview == "--codes":
        window.code_tree.select_path(window.code_tree.model.find(sys.argv[4]))
        if window.retrieval.model.rowCount():
            window.retrieval.list.setCurrentIndex(window.retrieval.model.index(0, 0))
            first = window.retrieval.model.segment(0)
            window.jump_to_segment(first.interview, first.start, first.end)
    elif interview == "--search":
        window.show_search()
        window.search.query.setText(sys.argv[4])
        window.search.run()
        if window.search.model.rowCount():
            window.search.view.setFocus()
            window.search._open(window.search.model.index(0, 0))
    elif interview:
        window.open_interview(interview)
        stripes = window.editor.stripes
        if stripes:  # show a coding selected, as after a click on its stripe
            middle = stripes[len(stripes) // 3]
            window.editor.select_coding(middle.coding)
            window.code_tree.select_path(middle.code)

    def shoot() -> None:
        window.grab().save(out)
        app.quit()

    QTimer.singleShot(500, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
