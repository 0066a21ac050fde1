#pragma once

#include "hsi/report.h"

#include <QWidget>
#include <memory>

class QComboBox;
class QTableView;

namespace hsi::ui {

class DebouncedLineEdit;
class RecordTableModel;
class RecordTimeline;

/// Mixpanel's own remediation history: the `$hotshard_record` events as a
/// table and a timeline, filterable by user or group, group key and id.
class RecordsPage : public QWidget {
    Q_OBJECT
public:
    explicit RecordsPage(QWidget *parent = nullptr);

    void setReport(std::shared_ptr<const Report> report);

    RecordTableModel *model() const { return m_model; }
    RecordTimeline *timeline() const { return m_timeline; }
    DebouncedLineEdit *filterEdit() const { return m_filter; }

private:
    void applyKindFilter();
    void updateTimeline();

    std::shared_ptr<const Report> m_report;
    RecordTableModel *m_model;
    QTableView *m_view;
    RecordTimeline *m_timeline;
    QComboBox *m_kind;
    DebouncedLineEdit *m_filter;
};

} // namespace hsi::ui
