"""How tall the panels under the canvas are: each takes the height its content needs when
its tab is raised (the canvas gets the rest), or the height a person last dragged it to,
which the settings remember. A panel may be made smaller than its content: it scrolls."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QTabBar, QWidget

KEY = "dockHeights/"  # + the dock's object name
ROOM_LINES = 2  # beyond its minimum, a panel asks for this many lines of text more


class Scrolled(QScrollArea):
    """A frameless scroll area that keeps its widget as large as the view of it, and no
    smaller than the widget's minimum: the dock can then be smaller than the widget (it
    scrolls) and never cuts it. (A resizable QScrollArea would give a widget with wrapped
    text its preferred height instead, and scroll where nothing needs to.)"""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setObjectName(f"{widget.objectName() or 'panel'}Scroll")
        self.setFrameShape(QFrame.NoFrame)
        self.setWidget(widget)
        widget.installEventFilter(self)

    def fit(self) -> None:
        widget = self.widget()
        least = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        view = self.maximumViewportSize()
        width = max(view.width(), least.width())
        height = max(view.height(), least.height())
        if width > view.width():  # a horizontal bar takes room from the height
            height = max(view.height() - self.horizontalScrollBar().sizeHint().height(), height)
        widget.resize(width, height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.LayoutRequest:
            self.fit()
        return False


def preferred_height(widget: QWidget) -> int:
    """The height that shows all of ``widget``'s controls, and a few lines of room."""
    least = widget.minimumSizeHint().height()
    room = least + ROOM_LINES * widget.fontMetrics().lineSpacing()
    return max(least, min(widget.sizeHint().height(), room))


class DockSizes(QObject):
    """Sizes the bottom docks of ``window`` to their content, and remembers the heights a
    person drags them to (a drag of the window's separators ends on the window itself)."""

    def __init__(self, window: QMainWindow, docks: list[QDockWidget], store: QSettings) -> None:
        super().__init__(window)
        self.window, self.docks, self.store = window, docks, store
        self._pressed: dict[str, int] = {}
        for dock in docks:
            dock.visibilityChanged.connect(lambda visible, d=dock: visible and self.later(d))
            dock.installEventFilter(self)  # a new width may wrap its rows differently
            self.content(dock).installEventFilter(self)  # and so may its rows' contents
        window.installEventFilter(self)

    def later(self, dock: QDockWidget) -> None:
        QTimer.singleShot(0, lambda: self.fit(dock))

    def content(self, dock: QDockWidget) -> QWidget:
        widget = dock.widget()
        return widget.widget() if isinstance(widget, QScrollArea) else widget

    def height_for(self, dock: QDockWidget) -> int:
        """The dock's remembered height, or the one its content asks for (and its title)."""
        saved = self.store.value(KEY + dock.objectName(), 0, type=int)
        if saved > 0:
            return saved
        title = max(dock.height() - dock.widget().height(), 0)
        return preferred_height(self.content(dock)) + title

    def _tabs_height(self, dock: QDockWidget) -> int:
        """The tab bar under a dock that shares its place: resizeDocks counts it in."""
        for bar in self.window.findChildren(QTabBar):
            titles = {bar.tabText(i) for i in range(bar.count())}
            if bar.isVisible() and dock.windowTitle() in titles:
                return bar.height()
        return 0

    def fit(self, dock: QDockWidget) -> None:
        """Give ``dock`` its height, if it is shown under the canvas."""
        shown = shiboken6.isValid(dock) and dock.isVisible() and not dock.visibleRegion().isEmpty()
        if shown and not dock.isFloating():
            wanted = self.height_for(dock) + self._tabs_height(dock)
            self.window.resizeDocks([dock], [wanted], Qt.Vertical)

    def _refit(self, dock: QDockWidget) -> None:
        """Fit ``dock`` again, unless a person has chosen its height."""
        if not self.store.value(KEY + dock.objectName(), 0, type=int) and dock.isVisible():
            self.later(dock)

    def hide_stray_tab_bars(self) -> None:
        """Hide a tab bar Qt leaves behind over the canvas after tabifying docks: one whose
        tabs another tab bar of the window shows too, with more beside them."""
        bars = [b for b in self.window.findChildren(QTabBar) if b.parent() is self.window]
        tabs = {b: {b.tabText(i) for i in range(b.count())} for b in bars if b.isVisible()}
        for bar, titles in tabs.items():
            if any(titles < others for other, others in tabs.items() if other is not bar):
                bar.hide()

    def _heights(self) -> dict[str, int]:
        return {d.objectName(): d.height() for d in self.docks if d.isVisible()}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        resized = event.type() == QEvent.Resize and watched in self.docks
        if resized and event.size().width() != event.oldSize().width():
            self._refit(watched)
        elif event.type() == QEvent.LayoutRequest:
            dock = next((d for d in self.docks if self.content(d) is watched), None)
            if dock is not None:
                self._refit(dock)
        elif watched is self.window and event.type() == QEvent.Show:
            for dock in self.docks:  # over what a saved window state says
                self._refit(dock)
            QTimer.singleShot(0, self.hide_stray_tab_bars)
        elif watched is self.window and event.type() == QEvent.MouseButtonPress:
            self._pressed = self._heights()
        elif watched is self.window and event.type() == QEvent.MouseButtonRelease:
            for name, height in self._heights().items():
                if name in self._pressed and self._pressed[name] != height:
                    self.store.setValue(KEY + name, height)
            self._pressed = {}
        return False
