#pragma once

#include "chart_widget.h"
#include "hsi/report.h"

#include <QTimeZone>
#include <memory>
#include <optional>
#include <vector>

namespace hsi::ui {

/// Events per day of a whole scan, original and remediated stacked. The
/// per-id limit applies to one id, not to the bars, so it is drawn against
/// an overlay: one id's days, or by default the busiest distinct_id of each
/// day.
class DayChart : public ChartWidget {
    Q_OBJECT
public:
    explicit DayChart(QWidget *parent = nullptr);

    void setReport(const Report *report);
    /// Draws one id's events per day over the bars and moves the limit line
    /// to `limit`.
    void setOverlay(const QString &label, const std::vector<DayCount> &days,
                    std::int64_t limit);
    /// Goes back to the busiest distinct_id of each day.
    void clearOverlay();

    QCPBars *originalBars() const { return m_original; }
    QCPBars *remediatedBars() const { return m_remediated; }
    QCPGraph *overlayGraph() const { return m_overlay; }
    const LimitLine &limitLine() const { return m_limit; }
    void resetView() override;

protected:
    QString keyText(double key) const override;

private:
    void showOverlay(const QString &label, const std::vector<DayCount> &days,
                     std::int64_t limit, const QString &limitLabel);

    QCPBars *m_original;
    QCPBars *m_remediated;
    QCPGraph *m_overlay;
    QString m_overlayLabel;
    LimitLine m_limit;
    std::int64_t m_userLimit = 0;
    /// Events of the busiest distinct_id of each day.
    std::vector<DayCount> m_busiest;
    /// The days shown when the view is reset. Days far from the rest, such
    /// as one event dated 1970, are left out, so that they do not squeeze
    /// the others into a corner.
    double m_firstKey = 0;
    double m_lastKey = 0;
    int m_daysOutOfView = 0;
};

/// Horizontal bars of the ids with the most events, largest on top, with the
/// limit as a vertical line.
class TopChart : public ChartWidget {
    Q_OBJECT
public:
    explicit TopChart(const QString &title, QWidget *parent = nullptr);

    /// Shows `labels[i]` with `values[i]`, in the order given.
    void setBars(const QStringList &labels,
                 const std::vector<std::int64_t> &values, std::int64_t limit);

    QCPBars *bars() const { return m_bars; }
    const LimitLine &limitLine() const { return m_limit; }
    QString tooltipText(QCPAbstractPlottable *plottable,
                        int index) const override;
    void resetView() override;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void fitTickCount();

    QCPBars *m_bars;
    LimitLine m_limit;
    QStringList m_labels;
};

/// Events of one pair across its day, in buckets of a few minutes, with the
/// running total against the limit and the moment it was crossed.
class ActivityChart : public ChartWidget {
    Q_OBJECT
public:
    explicit ActivityChart(QWidget *parent = nullptr);

    /// Shows `perMinute` (minute 0 is midnight of `day` in `zone`) summed
    /// into buckets of `bucketMinutes`.
    void setMinuteCounts(Day day, const QTimeZone &zone,
                         const std::vector<std::int32_t> &perMinute,
                         int bucketMinutes, std::int64_t limit,
                         std::optional<std::int64_t> crossingMs);
    /// Shows one bar per day, for ids whose minutes the scan did not record.
    void setDayCounts(const std::vector<DayCount> &days, std::int64_t limit);
    void clear(const QString &message);

    QCPBars *bars() const { return m_bars; }
    QCPGraph *cumulativeGraph() const { return m_cumulative; }
    /// Position of the crossing marker on the wall-clock time axis (local
    /// date and time counted as if it were UTC), or nothing when none is
    /// shown.
    std::optional<double> crossingSeconds() const;
    /// The text beside the crossing marker.
    QString crossingText() const { return m_crossingLabel->text(); }

protected:
    QString keyText(double key) const override;

private:
    void showCrossing(std::optional<std::int64_t> crossingMs);

    QCPBars *m_bars;
    QCPGraph *m_cumulative;
    LimitLine m_limit;
    QCPItemStraightLine *m_crossing;
    QCPItemText *m_crossingLabel;
    QTimeZone m_zone = QTimeZone::utc();
    bool m_showsDays = false;
};

/// `$hotshard_record` events over time, one lane for user records and one
/// per group key.
class RecordTimeline : public ChartWidget {
    Q_OBJECT
public:
    explicit RecordTimeline(QWidget *parent = nullptr);

    /// Shows `records`, pointers into a Report that must stay alive while the
    /// chart shows them.
    void setRecords(const std::vector<const HotshardRecord *> &records,
                    const QTimeZone &zone);

    /// Number of points drawn across all lanes.
    int pointCount() const;
    QString tooltipText(QCPAbstractPlottable *plottable,
                        int index) const override;

private:
    QTimeZone m_zone = QTimeZone::utc();
    /// Record shown at each point, per lane graph.
    QHash<QCPAbstractPlottable *, std::vector<const HotshardRecord *>>
        m_pointRecords;
};

} // namespace hsi::ui
