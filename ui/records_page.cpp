#include "records_page.h"

#include "charts.h"
#include "debounced_line_edit.h"
#include "format.h"
#include "record_model.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace hsi::ui {

namespace {

/// Item data of the kind combo box: "" for all, "\x01user", "\x01group" or
/// a group key.
const QString kAllRecords;
const QString kUserRecords = QStringLiteral("\x01user");
const QString kGroupRecords = QStringLiteral("\x01group");

} // namespace

RecordsPage::RecordsPage(QWidget *parent)
    : QWidget(parent), m_model(new RecordTableModel(this)),
      m_view(new QTableView(this)), m_timeline(new RecordTimeline(this)),
      m_kind(new QComboBox(this)), m_filter(new DebouncedLineEdit(this))
{
    m_filter->setPlaceholderText(
        QStringLiteral("Filter by id or display name (Ctrl+F)"));
    connect(m_filter, &DebouncedLineEdit::textSettled, m_model,
            &RecordTableModel::setFilterText);
    connect(m_kind, &QComboBox::currentIndexChanged, this,
            &RecordsPage::applyKindFilter);
    connect(m_model, &RecordTableModel::rowsRearranged, this,
            &RecordsPage::updateTimeline);

    m_view->setModel(m_model);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RecordTableModel::TimeColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(QStringLiteral("Show"), this));
    filterRow->addWidget(m_kind);
    filterRow->addWidget(m_filter, 1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_timeline);
    splitter->addWidget(m_view);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filterRow);
    layout->addWidget(splitter, 1);
    setReport(nullptr);
}

void RecordsPage::setReport(std::shared_ptr<const Report> report)
{
    m_report = std::move(report);
    m_kind->blockSignals(true);
    m_kind->clear();
    // Group keys come from the data, so a long one must not widen the page.
    m_kind->setSizeAdjustPolicy(
        QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_kind->setMinimumContentsLength(24);
    m_kind->addItem(QStringLiteral("all records"), kAllRecords);
    m_kind->addItem(QStringLiteral("user records"), kUserRecords);
    m_kind->addItem(QStringLiteral("group records"), kGroupRecords);
    if (m_report) {
        for (const std::string &key : m_report->groupKeys)
            m_kind->addItem(
                QStringLiteral("group key %1").arg(displayText(key)),
                toQString(key));
    }
    m_kind->blockSignals(false);
    m_model->setKindFilter(RecordTableModel::KindFilter::All);
    m_model->setReport(m_report);
    m_view->resizeColumnsToContents();
}

void RecordsPage::applyKindFilter()
{
    const QString choice = m_kind->currentData().toString();
    if (choice == kUserRecords)
        m_model->setKindFilter(RecordTableModel::KindFilter::User);
    else if (choice == kGroupRecords)
        m_model->setKindFilter(RecordTableModel::KindFilter::Group);
    else if (choice.isEmpty())
        m_model->setKindFilter(RecordTableModel::KindFilter::All);
    else
        m_model->setKindFilter(RecordTableModel::KindFilter::Group, choice);
}

void RecordsPage::updateTimeline()
{
    std::vector<const HotshardRecord *> visibleRecords;
    visibleRecords.reserve(m_model->rows().size());
    for (std::uint32_t source : m_model->rows())
        visibleRecords.push_back(&m_report->records[source]);
    m_timeline->setRecords(visibleRecords, m_model->timeZone());
}

} // namespace hsi::ui
