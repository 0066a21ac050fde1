#include "overview_page.h"

#include "column_fitter.h"
#include "format.h"
#include "report_models.h"

#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace hsi::ui {

namespace {

constexpr int kMinimumTextWidth = 120;

QString link(const QString &target, const QString &text)
{
    return QStringLiteral("<a href=\"%1\">%2</a>").arg(target, text);
}

QString row(const QString &label, const QString &value)
{
    return QStringLiteral("<tr><td>%1</td><td "
                          "align=\"right\">&nbsp;&nbsp;<b>%2</b></td></tr>")
        .arg(label, value);
}

} // namespace

OverviewPage::OverviewPage(QWidget *parent)
    : QWidget(parent), m_summary(new QLabel(this)), m_causes(new QLabel(this)),
      m_findings(new FindingTableModel(this)), m_view(new QTableView(this))
{
    for (QLabel *label : {m_summary, m_causes}) {
        label->setTextFormat(Qt::RichText);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextBrowserInteraction);
        label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
        connect(label, &QLabel::linkActivated, this,
                &OverviewPage::linkActivated);
    }
    m_view->setModel(m_findings);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(FindingTableModel::StatusColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    // A cut path keeps its line number, which ends the text.
    m_view->setTextElideMode(Qt::ElideMiddle);
    // A wrapped cell would be cut at the row height. An elided one has the
    // whole text in its tool tip.
    m_view->setWordWrap(false);
    // The id, the crossing event and the cause give up width only when the
    // table cannot show every column whole.
    new ColumnFitter(m_view,
                     {FindingTableModel::IdColumn,
                      FindingTableModel::CrossingPlaceColumn,
                      FindingTableModel::CauseColumn},
                     kMinimumTextWidth);
    connect(m_view, &QTableView::activated, this,
            [this](const QModelIndex &index) {
                emit findingActivated(m_findings->findingAt(index.row()));
            });
    connect(this, &OverviewPage::linkActivated, this,
            [this](const QString &target) {
                if (!target.startsWith(QLatin1String("pair:")) || !m_report)
                    return;
                const int row = m_findings->rowOfSource(target.mid(5).toUInt());
                if (row >= 0)
                    emit findingActivated(m_findings->findingAt(row));
            });

    auto *top = new QHBoxLayout;
    auto *totalsBox = new QGroupBox(QStringLiteral("Scan"), this);
    (new QVBoxLayout(totalsBox))->addWidget(m_summary);
    auto *causesBox = new QGroupBox(QStringLiteral("Likely causes"), this);
    (new QVBoxLayout(causesBox))->addWidget(m_causes);
    top->addWidget(totalsBox, 2);
    top->addWidget(causesBox, 3);
    auto *tableBox = new QGroupBox(
        QStringLiteral("Hot and near-limit pairs (double-click for the day)"),
        this);
    (new QVBoxLayout(tableBox))->addWidget(m_view);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(tableBox, 1);
    setMessage(QStringLiteral(
        "Open a Mixpanel export (Ctrl+O), drop files here, or try the "
        "bundled sample from the File menu."));
}

void OverviewPage::setMessage(const QString &text)
{
    m_summary->setText(text.toHtmlEscaped());
    m_causes->clear();
}

QString OverviewPage::summaryText() const
{
    return m_summary->text();
}

void OverviewPage::setReport(std::shared_ptr<const Report> report)
{
    m_report = std::move(report);
    m_findings->setReport(m_report);
    if (!m_report) {
        setMessage(QString());
        return;
    }
    m_summary->setText(totalsHtml(*m_report));
    m_causes->setText(causesHtml(*m_report));
}

QString OverviewPage::totalsHtml(const Report &report) const
{
    const Totals &totals = report.totals;
    const auto problemFiles =
        std::count_if(report.inputs.begin(), report.inputs.end(),
                      [](const InputReport &input) {
                          return input.status != InputReport::Status::Ok;
                      });
    QString dates = QStringLiteral("none");
    if (!report.days.empty())
        dates = QStringLiteral("%1 (%2 to %3)")
                    .arg(report.days.size())
                    .arg(formatDate(report.days.front().day),
                         formatDate(report.days.back().day));
    QString html = QStringLiteral("<table>");
    html += row(QStringLiteral("Files"), QString::number(report.inputs.size()) +
                                             QStringLiteral(", ") +
                                             formatBytes(totals.bytes));
    html += row(QStringLiteral("Events"), formatCount(totals.events));
    html +=
        row(link(QStringLiteral("page:ids"), QStringLiteral("Hot user shards")),
            formatCount(report.hotUserShards()));
    html += row(
        link(QStringLiteral("page:groups"), QStringLiteral("Hot group shards")),
        formatCount(report.hotGroupShards()));
    html += row(link(QStringLiteral("page:ids"),
                     QStringLiteral("Pairs near the limit")),
                formatCount(report.nearLimitCount));
    html += row(
        link(QStringLiteral("page:days"), QStringLiteral("Remediated events")),
        formatCount(totals.remediatedEvents));
    html += row(link(QStringLiteral("page:records"),
                     QStringLiteral("$hotshard_record events")),
                formatCount(static_cast<std::int64_t>(report.records.size())));
    html +=
        row(link(QStringLiteral("page:days"), QStringLiteral("Days covered")),
            dates);
    html += row(
        link(QStringLiteral("problems"), QStringLiteral("Files with problems")),
        QString::number(problemFiles));
    html +=
        row(QStringLiteral("Scan time"), formatDuration(report.elapsedSeconds));
    html += QStringLiteral("</table>");
    if (report.cancelled)
        html += QStringLiteral(
            "<p><b>The scan was cancelled; these counts are partial.</b></p>");
    return html;
}

QString OverviewPage::causesHtml(const Report &report) const
{
    if (report.hotShards.empty() && report.nearLimit.empty())
        return QStringLiteral("No id or group came near its limit.");
    QString html;
    const std::size_t hotCount = report.hotShards.size();
    for (std::size_t i = 0; i < hotCount + report.nearLimit.size(); ++i) {
        const PairFinding &pair =
            i < hotCount ? report.hotShards[i] : report.nearLimit[i - hotCount];
        if (i >= hotCount && pair.likelyCause == LikelyCause::Unknown)
            continue;
        const QString title =
            QStringLiteral("%1 %2 on %3 (%4 events%5)")
                .arg(kindName(pair.kind),
                     idLabel(pair.kind, pair.groupKey, pair.id).toHtmlEscaped(),
                     formatDate(pair.day), formatCount(pair.events),
                     i < hotCount ? QStringLiteral(", hot")
                                  : QStringLiteral(", near the limit"));
        html += QStringLiteral("<p>%1<br>%2</p>")
                    .arg(link(QStringLiteral("pair:%1").arg(i), title),
                         displayText(pair.likelyCauseText).toHtmlEscaped());
    }
    return html;
}

} // namespace hsi::ui
