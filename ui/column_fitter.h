#pragma once

#include <QList>
#include <QObject>

class QTableView;

namespace hsi::ui {

/// Sizes the columns of a table view to their contents and keeps them inside
/// the viewport when there is room enough.
///
/// When the contents are wider than the viewport, the elidable columns (long
/// ids, paths, causes) give up width, the widest first, but none goes below
/// `minimumWidth`. Their cells elide, so the model should put the whole text
/// in the tool tip. Spare width goes to the last visible column. The fitter
/// measures again on every model reset and distributes again when the
/// viewport changes width, until the user resizes a column by hand.
class ColumnFitter : public QObject {
    Q_OBJECT
public:
    ColumnFitter(QTableView *view, QList<int> elidableColumns,
                 int minimumWidth);

    /// Measures the contents again and distributes the width.
    void refit();
    /// Width that each column needs for its header and sampled cells.
    const QList<int> &contentWidths() const { return m_contentWidths; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void measure();
    void distribute();
    /// Returns the width cap for the elidable columns that makes them fit in
    /// `budget`, or `m_minimumWidth` when even that does not fit.
    int elidableCap(int budget) const;

    QTableView *m_view;
    QList<int> m_elidable;
    int m_minimumWidth;
    QList<int> m_contentWidths;
    int m_lastViewportWidth = -1;
    bool m_resizing = false;
    bool m_resizedByUser = false;
};

} // namespace hsi::ui
