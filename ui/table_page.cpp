#include "table_page.h"

#include "charts.h"
#include "column_fitter.h"
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

namespace {

constexpr int kMinimumTextWidth = 100;

} // namespace

TablePage::TablePage(ShardKind kind, QWidget *parent)
    : QWidget(parent),
      m_noun(kind == ShardKind::User ? QStringLiteral("ids")
                                     : QStringLiteral("group ids")),
      m_model(new IdTableModel(kind, this)), m_view(new QTableView(this)),
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
    m_view->setWordWrap(false);
    // The text columns give up width, with the whole text in their tool
    // tips, before any count column leaves the view.
    new ColumnFitter(m_view,
                     {IdTableModel::IdColumn, IdTableModel::GroupKeyColumn,
                      IdTableModel::FlagsColumn, IdTableModel::CauseColumn},
                     kMinimumTextWidth);
    connect(m_view, &QTableView::activated, this,
            [this](const QModelIndex &index) {
                emit idActivated(m_model->volumeAt(index.row()));
            });
    connect(m_model, &IdTableModel::rowsRearranged, this,
            &TablePage::updateCountLabel);
    connect(m_model, &IdTableModel::modelReset, this,
            &TablePage::updateTopChart);

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
    // The table has ten columns and the chart only needs room for labels and
    // short bars, so the table gets most of the width.
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({750, 250});
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
    m_count->setText(
        QStringLiteral("%1 of %2 %3")
            .arg(formatCount(m_model->rowCount()),
                 formatCount(static_cast<std::int64_t>(m_model->totalCount())),
                 m_noun));
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
