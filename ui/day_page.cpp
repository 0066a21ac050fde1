#include "day_page.h"

#include "charts.h"
#include "debounced_line_edit.h"
#include "format.h"
#include "hsi/printable.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace hsi::ui {

DayPage::DayPage(QWidget *parent)
    : QWidget(parent), m_chart(new DayChart(this)),
      m_search(new DebouncedLineEdit(this)), m_space(new QComboBox(this)),
      m_status(new QLabel(this))
{
    m_search->setPlaceholderText(
        QStringLiteral("Overlay one id: type it exactly (Ctrl+F)"));
    m_space->setToolTip(QStringLiteral(
        "Where to look for the id: distinct_id or a group key."));
    connect(m_search, &DebouncedLineEdit::textSettled, this, &DayPage::showId);
    connect(m_space, &QComboBox::currentIndexChanged, this,
            [this] { showId(m_search->text()); });

    auto *searchRow = new QHBoxLayout;
    searchRow->addWidget(new QLabel(QStringLiteral("Search"), this));
    searchRow->addWidget(m_space);
    searchRow->addWidget(m_search, 1);
    searchRow->addWidget(m_status, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(searchRow);
    layout->addWidget(m_chart, 1);
}

void DayPage::setReport(std::shared_ptr<const Report> report)
{
    m_report = std::move(report);
    m_space->blockSignals(true);
    m_space->clear();
    m_space->addItem(QStringLiteral("distinct_id"));
    if (m_report) {
        for (const std::string &key : m_report->groupKeys)
            m_space->addItem(
                QStringLiteral("group key %1").arg(displayText(key)),
                toQString(key));
    }
    m_space->blockSignals(false);
    m_chart->setReport(m_report.get());
    showId(m_search->text());
}

void DayPage::setSearchSpace(ShardKind kind, const QString &groupKey)
{
    const int index = kind == ShardKind::User ? 0 : m_space->findData(groupKey);
    if (index >= 0)
        m_space->setCurrentIndex(index);
}

// The tables show ids with control and direction characters escaped (see
// displayText()), and such characters cannot be typed, so an id is found by
// the text as typed or by the escaped form the tables show.
const IdVolume *DayPage::findId(const std::string &id) const
{
    const std::string groupKey =
        m_space->currentData().toString().toStdString();
    const ShardKind kind =
        groupKey.empty() ? ShardKind::User : ShardKind::Group;
    const IdVolume *shownAs = nullptr;
    for (const IdVolume &volume : m_report->ids) {
        if (volume.kind != kind || volume.groupKey != groupKey)
            continue;
        if (volume.id == id)
            return &volume;
        if (!shownAs && hsi::mayNeedEscapes(volume.id) &&
            hsi::printable(volume.id) == id)
            shownAs = &volume;
    }
    return shownAs;
}

bool DayPage::showId(const QString &text)
{
    if (m_search->text() != text)
        m_search->setText(text);
    if (text.isEmpty() || !m_report) {
        m_chart->clearOverlay();
        m_status->clear();
        return text.isEmpty();
    }
    const IdVolume *volume = findId(text.toStdString());
    if (!volume) {
        m_chart->clearOverlay();
        m_status->setText(QStringLiteral("No id '%1' in %2.")
                              .arg(text, m_space->currentText()));
        return false;
    }
    const auto first = m_report->idDays.begin() + volume->firstDay;
    const std::vector<DayCount> days(first, first + volume->dayCount);
    const std::int64_t limit = volume->kind == ShardKind::User
                                   ? m_report->settings.userLimit
                                   : m_report->settings.groupLimit;
    m_chart->setOverlay(idLabel(volume->kind, volume->groupKey, volume->id),
                        days, limit);
    m_status->setText(QStringLiteral("%1 on %2, peak %3 on %4")
                          .arg(countOf(volume->totalEvents, "event"),
                               countOf(volume->dayCount, "day"),
                               formatCount(volume->peakEvents),
                               formatDate(volume->peakDay)));
    return true;
}

} // namespace hsi::ui
