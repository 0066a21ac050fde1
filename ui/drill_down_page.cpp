#include "drill_down_page.h"

#include "charts.h"
#include "format.h"
#include "hsi/count_text.h"
#include "report_models.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace hsi::ui {

namespace {

QTableView *makeCountView(NamedCountModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSortingEnabled(true);
    view->sortByColumn(NamedCountModel::CountColumn, Qt::DescendingOrder);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setSectionResizeMode(NamedCountModel::NameColumn,
                                                   QHeaderView::Stretch);
    return view;
}

QGroupBox *boxed(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QGroupBox(title, parent);
    (new QVBoxLayout(box))->addWidget(content);
    return box;
}

} // namespace

DrillDownPage::DrillDownPage(QWidget *parent)
    : QWidget(parent), m_title(new QLabel(this)), m_bucket(new QComboBox(this)),
      m_chart(new ActivityChart(this)),
      m_events(new NamedCountModel(QStringLiteral("Event name"), this)),
      m_libraries(new NamedCountModel(
          QStringLiteral("Library (mp_lib or $lib)"), this)),
      m_evidence(new QLabel(this)), m_cause(new QLabel(this))
{
    m_title->setTextFormat(Qt::RichText);
    // An id can be hundreds of characters without a space. Labels that
    // name it may then be cut, but must not widen the window past the
    // screen.
    for (QLabel *label : {m_title, m_evidence, m_cause})
        label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    for (int minutes : {1, 5, 15, 60})
        m_bucket->addItem(minutes == 60
                              ? QStringLiteral("per hour")
                              : QStringLiteral("per %1 min").arg(minutes),
                          minutes);
    m_bucket->setCurrentIndex(2);
    connect(m_bucket, &QComboBox::currentIndexChanged, this,
            &DrillDownPage::redrawActivity);
    for (QLabel *label : {m_evidence, m_cause}) {
        label->setWordWrap(true);
        label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }

    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(new QLabel(QStringLiteral("Buckets"), this));
    header->addWidget(m_bucket);

    auto *details = new QWidget(this);
    auto *detailLayout = new QHBoxLayout(details);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(boxed(QStringLiteral("Event names"),
                                  makeCountView(m_events, this), this),
                            2);
    detailLayout->addWidget(boxed(QStringLiteral("Libraries"),
                                  makeCountView(m_libraries, this), this),
                            2);
    auto *textColumn = new QWidget(this);
    auto *textLayout = new QVBoxLayout(textColumn);
    textLayout->setContentsMargins(0, 0, 0, 0);
    textLayout->addWidget(boxed(QStringLiteral("Likely cause"), m_cause, this));
    textLayout->addWidget(boxed(QStringLiteral("Evidence"), m_evidence, this),
                          1);
    // The evidence can outgrow the space the chart leaves, for example with
    // a long file path, so it scrolls.
    auto *textScroll = new QScrollArea(this);
    textScroll->setWidget(textColumn);
    textScroll->setWidgetResizable(true);
    textScroll->setFrameShape(QFrame::NoFrame);
    detailLayout->addWidget(textScroll, 3);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_chart);
    splitter->addWidget(details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({600, 300});
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(splitter, 1);
    m_title->setText(
        QStringLiteral("No id selected. Double-click a row in the overview, "
                       "per-id or per-group table."));
}

void DrillDownPage::setReport(std::shared_ptr<const Report> report)
{
    m_report = std::move(report);
    m_finding = nullptr;
    m_events->setCounts(nullptr, nullptr, 0);
    m_libraries->setCounts(nullptr, nullptr, 0);
    m_evidence->clear();
    m_cause->clear();
    m_title->setToolTip({});
    m_title->setText(
        QStringLiteral("No id selected. Double-click a row in the overview, "
                       "per-id or per-group table."));
    m_chart->clear(
        QStringLiteral("Double-click an id or a pair to see its day."));
}

void DrillDownPage::showFinding(const PairFinding &finding)
{
    m_finding = &finding;
    const QString state =
        finding.overLimit > 0
            ? QStringLiteral("<b>%1 over the limit</b>")
                  .arg(formatCount(finding.overLimit))
            : QString::fromStdString(hsi::formatPercent(
                  100.0 * static_cast<double>(finding.events) /
                  static_cast<double>(
                      std::max<std::int64_t>(finding.limit, 1)))) +
                  QStringLiteral(" of the limit");
    m_title->setToolTip(idLabel(finding.kind, finding.groupKey, finding.id));
    m_title->setText(
        QStringLiteral("<big><b>%1</b> on %2</big> &nbsp; %3 events, %4")
            .arg(idLabel(finding.kind, finding.groupKey, finding.id)
                     .toHtmlEscaped(),
                 formatDate(finding.day), formatCount(finding.events), state));
    m_events->setCounts(m_report, &finding.evidence.topEvents, finding.events);
    m_libraries->setCounts(m_report, &finding.evidence.libraries,
                           finding.events);
    QString cause =
        finding.likelyCauseText.empty()
            ? QStringLiteral("No single cause stands out in the evidence.")
            : displayText(finding.likelyCauseText);
    for (const std::string &note : finding.notes)
        cause += QStringLiteral("\n\nNote: ") + displayText(note);
    m_cause->setText(cause);
    m_evidence->setText(evidenceHtml(finding));
    m_bucket->setEnabled(true);
    redrawActivity();
}

void DrillDownPage::showId(const IdVolume &volume)
{
    if (m_report) {
        for (const auto *list : {&m_report->hotShards, &m_report->nearLimit}) {
            for (const PairFinding &finding : *list) {
                if (finding.kind == volume.kind && finding.id == volume.id &&
                    finding.groupKey == volume.groupKey &&
                    finding.day == volume.peakDay)
                    return showFinding(finding);
            }
        }
    }
    m_finding = nullptr;
    m_title->setToolTip(idLabel(volume.kind, volume.groupKey, volume.id));
    m_title->setText(QStringLiteral("<big><b>%1</b></big> &nbsp; %2 on %3")
                         .arg(idLabel(volume.kind, volume.groupKey, volume.id)
                                  .toHtmlEscaped(),
                              countOf(volume.totalEvents, "event"),
                              countOf(volume.dayCount, "day")));
    m_events->setCounts(nullptr, nullptr, 0);
    m_libraries->setCounts(nullptr, nullptr, 0);
    m_cause->setText(QStringLiteral(
        "This id was neither hot nor near its limit, so the scan "
        "gathered no evidence for it. Its events per day are shown."));
    m_evidence->setText(QStringLiteral("Flags: %1")
                            .arg(volume.idFlags ? formatIdFlags(volume.idFlags)
                                                : QStringLiteral("none")));
    m_bucket->setEnabled(false);
    const auto first = m_report->idDays.begin() + volume.firstDay;
    const std::int64_t limit = volume.kind == ShardKind::User
                                   ? m_report->settings.userLimit
                                   : m_report->settings.groupLimit;
    m_chart->setDayCounts(std::vector<DayCount>(first, first + volume.dayCount),
                          limit);
}

void DrillDownPage::redrawActivity()
{
    if (!m_finding || !m_report)
        return;
    std::optional<std::int64_t> crossingMs;
    if (m_finding->crossing)
        crossingMs = m_finding->crossing->timeMs;
    m_chart->setMinuteCounts(m_finding->day, reportTimeZone(m_report->settings),
                             m_finding->evidence.eventsPerMinute,
                             m_bucket->currentData().toInt(), m_finding->limit,
                             crossingMs);
}

QString DrillDownPage::evidenceHtml(const PairFinding &finding) const
{
    const Evidence &evidence = finding.evidence;
    QString html = QStringLiteral("<table>");
    const auto add = [&html](const QString &label, const QString &value) {
        html += QStringLiteral("<tr><td>%1</td><td>&nbsp;&nbsp;%2</td></tr>")
                    .arg(label, value);
    };
    add(QStringLiteral("Unique events"),
        formatUniqueEvents(finding.uniqueEvents));
    add(QStringLiteral("Duplicates"), formatCount(evidence.duplicates));
    add(QStringLiteral("Remediated events"),
        formatCount(finding.remediatedEvents));
    add(QStringLiteral("Distinct devices"),
        formatCount(evidence.distinctDevices));
    if (finding.kind == ShardKind::Group)
        add(QStringLiteral("Distinct users"),
            formatCount(evidence.distinctUsers));
    add(QStringLiteral("Id flags"), finding.idFlags
                                        ? formatIdFlags(finding.idFlags)
                                        : QStringLiteral("none"));
    if (finding.crossing) {
        add(QStringLiteral("Limit crossed"),
            formatTime(finding.crossing->timeMs,
                       reportTimeZone(m_report->settings)));
        add(QStringLiteral("First event past it"),
            QStringLiteral("%1, line %2")
                .arg(displayText(finding.crossing->path).toHtmlEscaped())
                .arg(finding.crossing->line));
    }
    html += QStringLiteral("</table>");
    return html;
}

} // namespace hsi::ui
