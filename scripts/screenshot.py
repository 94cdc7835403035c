"""Render the window on a project and save a PNG, to look at what a researcher sees.

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \
        python scripts/screenshot.py projects/demo.dyad shot.png [INTERVIEW]
        python scripts/screenshot.py projects/demo.dyad shot.png --themes|--board
        python scripts/screenshot.py projects/demo.dyad shot.png --timeline [DYAD]
"""

from __future__ import annotations

import sys
import tempfile

from PySide6.QtCore import QSettings, QTimer

from workbench.ui.app import make_app
from workbench.ui.main_window import MainWindow


def main() -> int:
    project, out = sys.argv[1], sys.argv[2]
    interview = sys.argv[3] if len(sys.argv) > 3 else None
    app = make_app()
    settings = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat)
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
    elif interview:
        window.open_interview(interview)

    def shoot() -> None:
        window.grab().save(out)
        app.quit()

    QTimer.singleShot(500, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
