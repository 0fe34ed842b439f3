"""A row of controls that wraps onto more rows where the panel is too narrow for it, so a
narrow window shows every button instead of cutting the row off."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new row when the next does not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        """Place the items; the holder's minimum height becomes what its rows need, so the
        panel around it makes room (a height-for-width would make a scroll area ask for
        the panel's preferred height instead)."""
        super().setGeometry(rect)
        height = self._arrange(rect, move=True)
        holder = self.parentWidget()
        if holder is not None and holder.minimumHeight() != height:
            holder.setMinimumHeight(height)

    def sizeHint(self) -> QSize:
        """One row of everything."""
        width = sum(i.sizeHint().width() for i in self._items)
        width += self._spacing * max(len(self._items) - 1, 0)
        height = max((i.sizeHint().height() for i in self._items), default=0)
        return QSize(width, height)

    def minimumSize(self) -> QSize:
        """As wide as the widest item: anything wider wraps."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items (when ``move``) in ``rect``; returns the height they take."""
        x, y, row = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, row = rect.x(), y + row + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            row = max(row, hint.height())
        return y + row - rect.y()


def wrapping(row: QHBoxLayout) -> QWidget:
    """The items of ``row`` as a widget that wraps: the runs of items between its spacings
    and stretches stay together on one line, and the runs wrap."""
    holder = QWidget()
    holder.setObjectName("wrappingRow")
    flow = FlowLayout(holder, spacing=max(row.spacing(), 6) * 2)
    holder.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
    run: QHBoxLayout | None = None
    while row.count():
        item = row.takeAt(0)
        widget = item.widget()
        if widget is None:  # a spacing or a stretch: the run ends here
            run = None
            continue
        if run is None:
            group = QWidget(holder)
            run = QHBoxLayout(group)
            run.setContentsMargins(0, 0, 0, 0)
            flow.addWidget(group)
        run.addWidget(widget)
    return holder
