#pragma once

#include "hsi/report.h"

#include <QWidget>
#include <memory>

class QComboBox;
class QLabel;
class QTableView;

namespace hsi::ui {

class ActivityChart;
class NamedCountModel;

/// Details of one id on one day: activity across the day with the moment the
/// limit was crossed, the event-name mix, the libraries, devices and users
/// that sent the events, and the likely cause.
class DrillDownPage : public QWidget {
    Q_OBJECT
public:
    explicit DrillDownPage(QWidget *parent = nullptr);

    void setReport(std::shared_ptr<const Report> report);
    /// Shows a hot or near-limit pair, for which the scan gathered evidence.
    void showFinding(const PairFinding &finding);
    /// Shows an id that is neither hot nor near its limit (only its days are
    /// known), or its finding when it has one.
    void showId(const IdVolume &volume);

    ActivityChart *chart() const { return m_chart; }
    NamedCountModel *eventModel() const { return m_events; }
    NamedCountModel *libraryModel() const { return m_libraries; }
    const PairFinding *finding() const { return m_finding; }

private:
    void redrawActivity();
    QString evidenceHtml(const PairFinding &finding) const;

    std::shared_ptr<const Report> m_report;
    const PairFinding *m_finding = nullptr;
    QLabel *m_title;
    QComboBox *m_bucket;
    ActivityChart *m_chart;
    NamedCountModel *m_events;
    NamedCountModel *m_libraries;
    QLabel *m_evidence;
    QLabel *m_cause;
};

} // namespace hsi::ui
