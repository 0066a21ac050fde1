#pragma once

#include "hsi/report.h"

#include <QWidget>
#include <memory>

class QComboBox;
class QLabel;

namespace hsi::ui {

class DayChart;
class DebouncedLineEdit;

/// The per-day view: events per day of the scan, with a search box that
/// overlays one user id or group id.
class DayPage : public QWidget {
    Q_OBJECT
public:
    explicit DayPage(QWidget *parent = nullptr);

    void setReport(std::shared_ptr<const Report> report);
    /// Overlays the id that matches `text` exactly in the selected space
    /// (users or one group key). Empty text clears the overlay. Returns false
    /// when no such id exists.
    bool showId(const QString &text);
    /// Selects the space (users, or a group key) that searches look in.
    void setSearchSpace(ShardKind kind, const QString &groupKey = {});

    DayChart *chart() const { return m_chart; }
    DebouncedLineEdit *searchEdit() const { return m_search; }

private:
    const IdVolume *findId(const std::string &id) const;

    std::shared_ptr<const Report> m_report;
    DayChart *m_chart;
    DebouncedLineEdit *m_search;
    QComboBox *m_space;
    QLabel *m_status;
};

} // namespace hsi::ui
