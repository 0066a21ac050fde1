#pragma once

#include "hsi/report.h"

#include <QWidget>
#include <memory>

class QLabel;
class QTableView;

namespace hsi::ui {

class FindingTableModel;

/// The first view after a scan: totals, hot and near-limit counts, the likely
/// causes, and a table of every hot and near-limit pair. Every count links to
/// the view with its details.
class OverviewPage : public QWidget {
    Q_OBJECT
public:
    explicit OverviewPage(QWidget *parent = nullptr);

    void setReport(std::shared_ptr<const Report> report);
    /// Shows `text` in place of the summary, for example while scanning.
    void setMessage(const QString &text);

    FindingTableModel *findingModel() const { return m_findings; }
    QTableView *findingView() const { return m_view; }
    QString summaryText() const;

signals:
    /// A link was clicked: "page:days", "page:ids", "page:groups",
    /// "page:records", "problems", or "pair:N", where N is the source index
    /// of a pair in the finding model.
    void linkActivated(const QString &target);
    /// The user asked for the details of one hot or near-limit pair.
    void findingActivated(const hsi::PairFinding &finding);

private:
    QString totalsHtml(const Report &report) const;
    QString causesHtml(const Report &report) const;

    std::shared_ptr<const Report> m_report;
    QLabel *m_summary;
    QLabel *m_causes;
    FindingTableModel *m_findings;
    QTableView *m_view;
};

} // namespace hsi::ui
