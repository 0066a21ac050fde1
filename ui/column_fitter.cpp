#include "column_fitter.h"

#include <QEvent>
#include <QGuiApplication>
#include <QHeaderView>
#include <QTableView>
#include <algorithm>
#include <numeric>

namespace hsi::ui {

ColumnFitter::ColumnFitter(QTableView *view, QList<int> elidableColumns,
                           int minimumWidth)
    : QObject(view), m_view(view), m_elidable(std::move(elidableColumns)),
      m_minimumWidth(minimumWidth)
{
    QHeaderView *header = m_view->horizontalHeader();
    // The fitter hands out the spare width itself, because a stretched last
    // section would shrink below its contents when the others take all the
    // room.
    header->setStretchLastSection(false);
    m_view->viewport()->installEventFilter(this);
    connect(m_view->model(), &QAbstractItemModel::modelReset, this,
            &ColumnFitter::refit);
    connect(header, &QHeaderView::sectionResized, this, [this] {
        // A drag on a header handle is the only resize with a button down
        // that the fitter did not make.
        if (!m_resizing &&
            QGuiApplication::mouseButtons().testFlag(Qt::LeftButton))
            m_resizedByUser = true;
    });
    refit();
}

void ColumnFitter::refit()
{
    m_resizedByUser = false;
    measure();
    distribute();
}

bool ColumnFitter::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize &&
        m_view->viewport()->width() != m_lastViewportWidth)
        distribute();
    return QObject::eventFilter(watched, event);
}

// Qt samples a bounded number of rows (QHeaderView's resize contents
// precision), so measuring stays fast on a million ids.
void ColumnFitter::measure()
{
    // QTableView makes its override protected; the base class declares it
    // public.
    const QAbstractItemView *base = m_view;
    const int columns = m_view->model()->columnCount();
    m_contentWidths.fill(0, columns);
    for (int column = 0; column < columns; ++column) {
        if (m_view->isColumnHidden(column))
            continue;
        m_contentWidths[column] =
            std::max(base->sizeHintForColumn(column),
                     m_view->horizontalHeader()->sectionSizeHint(column));
    }
}

void ColumnFitter::distribute()
{
    m_lastViewportWidth = m_view->viewport()->width();
    if (m_resizedByUser || m_contentWidths.isEmpty())
        return;
    QList<int> widths = m_contentWidths;
    const int available = m_lastViewportWidth;
    const int total = std::accumulate(widths.begin(), widths.end(), 0);
    if (total > available) {
        int fixed = total;
        for (int column : m_elidable)
            fixed -= widths.value(column);
        const int cap = elidableCap(available - fixed);
        for (int column : m_elidable) {
            if (column < widths.size())
                widths[column] = std::min(widths[column], cap);
        }
    }

    const auto last = std::find_if(widths.rbegin(), widths.rend(),
                                   [](int width) { return width > 0; });
    const int used = std::accumulate(widths.begin(), widths.end(), 0);
    if (last != widths.rend() && used < available)
        *last += available - used;

    m_resizing = true;
    for (int column = 0; column < widths.size(); ++column) {
        if (!m_view->isColumnHidden(column))
            m_view->setColumnWidth(column, widths[column]);
    }
    m_resizing = false;
}

int ColumnFitter::elidableCap(int budget) const
{
    const auto usedWith = [this](int cap) {
        int used = 0;
        for (int column : m_elidable)
            used += std::min(m_contentWidths.value(column), cap);
        return used;
    };
    // Bisection finds the largest cap that fits, because usedWith() grows
    // with the cap.
    int low = m_minimumWidth;
    int high =
        *std::max_element(m_contentWidths.begin(), m_contentWidths.end());
    if (usedWith(low) > budget)
        return m_minimumWidth;
    while (low < high) {
        const int middle = low + (high - low + 1) / 2;
        if (usedWith(middle) <= budget)
            low = middle;
        else
            high = middle - 1;
    }
    return low;
}

} // namespace hsi::ui
