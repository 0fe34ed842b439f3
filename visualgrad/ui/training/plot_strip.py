"""The training panel's plots: side by side where the panel is wide enough for all of them,
else one at a time under tabs, so a narrow window never cuts a plot or its legend off."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QStackedLayout, QTabWidget, QWidget

SPACING = 6


class PlotStrip(QWidget):
    """``parts`` (title, widget, stretch) in a row, or as tabs when the row would not fit."""

    def __init__(self, parts: list[tuple[str, QWidget, int]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("plotStrip")
        self.parts = parts
        self.shown = {id(widget): True for _, widget, _ in parts}
        self.row = QWidget(self)
        self._row = QHBoxLayout(self.row)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(SPACING)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("plotTabs")
        self.tabs.setDocumentMode(True)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.row)
        self._stack.addWidget(self.tabs)
        self.tabbed: bool | None = None
        self._arrange(tabbed=False)

    def set_shown(self, widget: QWidget, shown: bool) -> None:
        """Show ``widget``'s plot (or not) in either arrangement."""
        self.shown[id(widget)] = shown
        self._arrange(self._needs_tabs(self.width()))

    def is_shown(self, widget: QWidget) -> bool:
        return self.shown[id(widget)]

    def _widths(self) -> list[int]:
        return [
            max(w.minimumSizeHint().width(), w.minimumWidth())
            for _, w, _ in self.parts
            if self.shown[id(w)]
        ]

    def _needs_tabs(self, width: int) -> bool:
        widths = self._widths()
        return sum(widths) + SPACING * max(len(widths) - 1, 0) > width

    def minimumSizeHint(self):
        size = super().minimumSizeHint()
        size.setWidth(max(self._widths(), default=0))
        return size

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        tabbed = self._needs_tabs(event.size().width())
        if tabbed != self.tabbed:
            self._arrange(tabbed)

    def _arrange(self, tabbed: bool) -> None:
        """Put the plots in the row or under the tabs, each shown as it is wanted."""
        if tabbed != self.tabbed:
            current = self.tabs.currentIndex()
            self.tabs.clear()
            for title, widget, stretch in self.parts:
                if tabbed:
                    self.tabs.addTab(widget, title)
                else:
                    self._row.addWidget(widget, stretch)
            self.tabs.setCurrentIndex(max(current, 0))
            self._stack.setCurrentWidget(self.tabs if tabbed else self.row)
            self.tabbed = tabbed
        for index, (_, widget, _) in enumerate(self.parts):
            if tabbed:
                self.tabs.setTabVisible(index, self.shown[id(widget)])
            else:
                widget.setVisible(self.shown[id(widget)])
