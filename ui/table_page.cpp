#include "table_page.h"

#include "charts.h"
#include "debounced_line_edit.h"
#include "format.h"
#include "id_table_model.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace hsi::ui {

TablePage::TablePage(ShardKind kind, QWidget *parent)
    : QWidget(parent), m_model(new IdTableModel(kind, this)),
      m_view(new QTableView(this)),
      m_chart(new TopChart(kind == ShardKind::User
                               ? QStringLiteral("top-user-ids")
                               : QStringLiteral("top-group-ids"),
                           this)),
      m_filter(new DebouncedLineEdit(this)), m_count(new QLabel(this))
{
    const bool users = kind == ShardKind::User;
    m_filter->setPlaceholderText(
        users ? QStringLiteral("Filter ids (Ctrl+F)")
              : QStringLiteral("Filter group ids or keys (Ctrl+F)"));
    connect(m_filter, &DebouncedLineEdit::textSettled, m_model,
            &IdTableModel::setFilterText);

    m_view->setModel(m_model);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(IdTableModel::EventsColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->setDefaultSectionSize(
        m_view->fontMetrics().height() + 6);
    m_view->verticalHeader()->hide();
    m_view->setColumnHidden(IdTableModel::GroupKeyColumn, users);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setColumnWidth(IdTableModel::IdColumn, 260);
    connect(m_view, &QTableView::activated, this,
            [this](const QModelIndex &index) {
                emit idActivated(m_model->volumeAt(index.row()));
            });
    connect(m_model, &IdTableModel::rowsRearranged, this,
            &TablePage::updateCountLabel);
    connect(m_model, &IdTableModel::modelReset, this,
            &TablePage::updateTopChart);
    connect(m_model, &IdTableModel::modelReset, this, &TablePage::fitColumns);

    auto *tableSide = new QWidget(this);
    auto *tableLayout = new QVBoxLayout(tableSide);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_count);
    tableLayout->addLayout(filterRow);
    tableLayout->addWidget(m_view, 1);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(tableSide);
    splitter->addWidget(m_chart);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
    updateCountLabel();
}

void TablePage::setReport(std::shared_ptr<const Report> report)
{
    m_model->setReport(std::move(report));
}

void TablePage::updateCountLabel()
{
    m_count->setText(QStringLiteral("%1 of %2 ids")
                         .arg(formatCount(m_model->rowCount()),
                              formatCount(static_cast<std::int64_t>(
                                  m_model->totalCount()))));
}

// Columns fit the rows on screen (Qt samples a bounded number of rows, so
// this stays fast on a million ids). A very long id is cut rather than
// pushing every count column out of view.
void TablePage::fitColumns()
{
    constexpr int kMaxIdWidth = 320;
    for (int column = 0; column < IdTableModel::CauseColumn; ++column)
        m_view->resizeColumnToContents(column);
    if (m_view->columnWidth(IdTableModel::IdColumn) > kMaxIdWidth)
        m_view->setColumnWidth(IdTableModel::IdColumn, kMaxIdWidth);
}

void TablePage::updateTopChart()
{
    QStringList labels;
    std::vector<std::int64_t> values;
    for (int row : m_model->topRows(kTopCount)) {
        const IdVolume &volume = m_model->volumeAt(row);
        labels << idLabel(volume.kind, volume.groupKey, volume.id);
        values.push_back(volume.peakEvents);
    }
    m_chart->setBars(labels, values, m_model->limit());
}

} // namespace hsi::ui
