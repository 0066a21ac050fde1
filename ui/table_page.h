#pragma once

#include "hsi/report.h"

#include <QWidget>
#include <memory>

class QLabel;
class QTableView;

namespace hsi::ui {

class DebouncedLineEdit;
class IdTableModel;
class TopChart;

/// The per-id or per-group view: a filterable, sortable table of every id
/// at its peak day, with a bar chart of the largest ones beside it.
class TablePage : public QWidget {
    Q_OBJECT
public:
    /// Number of bars in the top chart.
    static constexpr int kTopCount = 20;

    TablePage(ShardKind kind, QWidget *parent = nullptr);

    void setReport(std::shared_ptr<const Report> report);
    IdTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    TopChart *topChart() const { return m_chart; }
    DebouncedLineEdit *filterEdit() const { return m_filter; }

signals:
    /// The user asked for the day of one id (double-click or Return).
    void idActivated(const hsi::IdVolume &volume);

private:
    void updateTopChart();
    void updateCountLabel();

    /// "ids" or "group ids", for the count above the table.
    QString m_noun;
    IdTableModel *m_model;
    QTableView *m_view;
    TopChart *m_chart;
    DebouncedLineEdit *m_filter;
    QLabel *m_count;
};

} // namespace hsi::ui
