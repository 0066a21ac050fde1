#include "charts.h"

#include "format.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace hsi::ui {

namespace {

constexpr double kSecondsPerDay = 86400.0;
constexpr int kMaxLabelledDays = 31;

void styleBars(QCPBars *bars, const QColor &color)
{
    bars->setPen(QPen(color.darker(130)));
    bars->setBrush(color);
}

QString dayKeyText(double key)
{
    return formatDate(static_cast<Day>(std::floor(key / kSecondsPerDay)));
}

/// Per-minute counts summed into buckets, keyed by the bucket's centre in
/// epoch seconds, with the running total at the end of each bucket.
struct Buckets {
    QVector<double> keys;
    QVector<double> counts;
    QVector<double> runningTotals;
    double total = 0;
};

/// Returns the local date and time of an instant in seconds, counted as if
/// it were UTC. Per-minute counts are indexed by local minute, so only this
/// axis shows them and the crossing at clock time on daylight-saving days.
double wallClockSeconds(std::int64_t epochMs, const QTimeZone &zone)
{
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(epochMs, zone);
    return static_cast<double>(epochMs) / 1000.0 + local.offsetFromUtc();
}

Buckets sumBuckets(const std::vector<std::int32_t> &perMinute,
                   int bucketMinutes, double dayStart)
{
    Buckets buckets;
    const auto step = static_cast<std::size_t>(bucketMinutes);
    for (std::size_t first = 0; first < perMinute.size(); first += step) {
        const std::size_t last = std::min(perMinute.size(), first + step);
        double sum = 0;
        for (std::size_t minute = first; minute < last; ++minute)
            sum += perMinute[minute];
        buckets.total += sum;
        buckets.keys << dayStart + static_cast<double>(first) * 60.0 +
                            bucketMinutes * 30.0;
        buckets.counts << sum;
        buckets.runningTotals << buckets.total;
    }
    return buckets;
}

} // namespace

DayChart::DayChart(QWidget *parent)
    : ChartWidget(QStringLiteral("events-per-day"), parent),
      m_original(new QCPBars(xAxis, yAxis)),
      m_remediated(new QCPBars(xAxis, yAxis)), m_overlay(addGraph()),
      m_limit(this, xAxis, yAxis)
{
    m_original->setName(QStringLiteral("Original events"));
    m_remediated->setName(QStringLiteral("Remediated ($hotshard_events)"));
    styleBars(m_original, chart_colors::original());
    styleBars(m_remediated, chart_colors::remediated());
    m_remediated->moveAbove(m_original);
    for (QCPBars *bars : {m_original, m_remediated})
        bars->setWidth(kSecondsPerDay * 0.7);

    // Points only: a line between two dates would suggest counts on the
    // dates between them, where the id may have had no events.
    m_overlay->setPen(QPen(chart_colors::overlay(), 2.5));
    m_overlay->setLineStyle(QCPGraph::lsNone);
    m_overlay->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 11));
    m_overlay->setVisible(false);
    m_overlay->removeFromLegend();

    xAxis->setTicker(makeDateTicker(QTimeZone::utc()));
    useCountTicker(yAxis);
    yAxis->setLabel(QStringLiteral("Events per day"));
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0,
                                                 Qt::AlignLeft | Qt::AlignTop);
    applyPalette();
    setPlaceholder(QStringLiteral("Open an export to see its events per day."));
}

namespace {

/// Returns the events of the busiest user id on each day of the report.
std::vector<DayCount> busiestUserPerDay(const Report &report)
{
    std::map<Day, std::int64_t> busiest;
    for (const IdVolume &volume : report.ids) {
        if (volume.kind != ShardKind::User)
            continue;
        for (std::uint32_t i = 0; i < volume.dayCount; ++i) {
            const DayCount &count = report.idDays[volume.firstDay + i];
            std::int64_t &top = busiest[count.day];
            top = std::max(top, count.events);
        }
    }
    std::vector<DayCount> days;
    for (const auto &[day, events] : busiest)
        days.push_back({day, events, 0});
    return days;
}

/// Days more than this far apart belong to separate stretches.
constexpr Day kStretchGapDays = 31;

/// Returns the first and last day of the stretch of days, without a gap of
/// more than a month, that contains the most events. `days` is sorted by
/// day.
std::pair<Day, Day> viewedDays(const std::vector<DayTotal> &days,
                               int &outOfView)
{
    std::size_t bestFirst = 0;
    std::size_t bestEnd = 0;
    std::int64_t bestEvents = -1;
    for (std::size_t first = 0; first < days.size();) {
        std::size_t end = first + 1;
        std::int64_t events = days[first].events;
        while (end < days.size() &&
               days[end].day - days[end - 1].day <= kStretchGapDays)
            events += days[end++].events;
        if (events > bestEvents) {
            bestEvents = events;
            bestFirst = first;
            bestEnd = end;
        }
        first = end;
    }
    outOfView = static_cast<int>(days.size() - (bestEnd - bestFirst));
    return {days[bestFirst].day, days[bestEnd - 1].day};
}

} // namespace

void DayChart::setReport(const Report *report)
{
    QVector<double> keys;
    QVector<double> original;
    QVector<double> remediatedKeys;
    QVector<double> remediated;
    m_busiest.clear();
    m_daysOutOfView = 0;
    if (report) {
        for (const DayTotal &day : report->days) {
            keys << day.day * kSecondsPerDay;
            original << static_cast<double>(day.events - day.remediatedEvents);
            // A bar of no height would still draw its outline.
            if (day.remediatedEvents > 0) {
                remediatedKeys << day.day * kSecondsPerDay;
                remediated << static_cast<double>(day.remediatedEvents);
            }
        }
        m_userLimit = report->settings.userLimit;
        m_busiest = busiestUserPerDay(*report);
        if (!report->days.empty()) {
            const auto [first, last] =
                viewedDays(report->days, m_daysOutOfView);
            m_firstKey = first * kSecondsPerDay;
            m_lastKey = last * kSecondsPerDay;
        }
    }
    m_original->setData(keys, original, true);
    m_remediated->setData(remediatedKeys, remediated, true);
    m_original->setName(
        m_daysOutOfView == 0
            ? QStringLiteral("Original events")
            : QStringLiteral("Original events (%1 far from the rest, out of "
                             "view: zoom out to see)")
                  .arg(countOf(m_daysOutOfView, "day")));
    // A label under every bar reads better than QCustomPlot's automatic
    // date steps, which skip days. Past a month of days, they return.
    if (!keys.isEmpty() && keys.size() <= kMaxLabelledDays) {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (double key : keys)
            ticker->addTick(key, QDateTime::fromSecsSinceEpoch(
                                     static_cast<qint64>(key), QTimeZone::utc())
                                     .toString(QStringLiteral("ddd\nMMM dd")));
        xAxis->setTicker(ticker);
    } else {
        xAxis->setTicker(makeDateTicker(QTimeZone::utc()));
    }
    setPlaceholder(keys.isEmpty() ? QStringLiteral("No dated events.")
                                  : QString());
    clearOverlay();
}

void DayChart::setOverlay(const QString &label,
                          const std::vector<DayCount> &days, std::int64_t limit)
{
    showOverlay(label, days, limit,
                QStringLiteral("limit per id: %1").arg(formatCount(limit)));
}

void DayChart::clearOverlay()
{
    if (m_busiest.empty() || m_userLimit <= 0) {
        m_overlay->data()->clear();
        m_overlay->setVisible(false);
        m_overlay->removeFromLegend();
        m_limit.setVisible(false);
        resetView();
        return;
    }
    showOverlay(QStringLiteral("Busiest distinct_id of each day"), m_busiest,
                m_userLimit,
                QStringLiteral("limit per distinct_id: %1")
                    .arg(formatCount(m_userLimit)));
}

void DayChart::showOverlay(const QString &label,
                           const std::vector<DayCount> &days,
                           std::int64_t limit, const QString &limitLabel)
{
    QVector<double> keys;
    QVector<double> values;
    for (const DayCount &day : days) {
        keys << day.day * kSecondsPerDay;
        values << static_cast<double>(day.events);
    }
    m_overlay->setData(keys, values, true);
    m_overlayLabel = label;
    m_overlay->setName(label);
    m_overlay->setVisible(true);
    m_overlay->addToLegend();
    m_limit.setValue(static_cast<double>(limit), limitLabel);
    m_limit.setVisible(true);
    resetView();
}

// The value axis fits the data. It reaches up to the limit only when the
// data comes within half of it, because a far limit would flatten every
// bar. The legend then gives the limit instead.
void DayChart::resetView()
{
    rescaleAxes();
    // The margins go in the same call, because QCustomPlot ignores a range
    // of zero width, such as a single day's, and keeps the rescaled one.
    const double lower =
        m_original->dataCount() > 0 ? m_firstKey : xAxis->range().lower;
    const double upper =
        m_original->dataCount() > 0 ? m_lastKey : xAxis->range().upper;
    xAxis->setRange(lower - 0.6 * kSecondsPerDay, upper + 0.6 * kSecondsPerDay);
    const double dataTop = std::max(yAxis->range().upper, 1.0);
    const double limit = m_limit.value();
    const bool limitInView = limit > 0 && limit <= 2 * dataTop;
    if (m_overlay->visible() && limit > 0) {
        m_overlay->setName(limitInView
                               ? m_overlayLabel
                               : QStringLiteral("%1 (its limit, %2, is far "
                                                "above this chart)")
                                     .arg(m_overlayLabel, formatCount(limit)));
    }
    const double top = limitInView ? std::max(dataTop, limit) : dataTop;
    yAxis->setRange(0, top * 1.08);
    replot();
}

QString DayChart::keyText(double key) const
{
    return dayKeyText(key);
}

TopChart::TopChart(const QString &title, QWidget *parent)
    : ChartWidget(title, parent), m_bars(new QCPBars(yAxis, xAxis)),
      m_limit(this, yAxis, xAxis)
{
    m_bars->setName(QStringLiteral("Events on the peak date"));
    styleBars(m_bars, chart_colors::original());
    m_bars->setWidth(0.7);
    yAxis->setRangeReversed(true);
    yAxis->grid()->setVisible(false);
    // Without the 'b' flag, ids such as "7f3e9c2a" are not typeset as powers.
    yAxis->setNumberFormat(QStringLiteral("g"));
    useCountTicker(xAxis);
    // fitTickCount() sets few ticks in a narrow chart, and the default
    // strategy would add more to get rounder steps.
    xAxis->ticker()->setTickStepStrategy(QCPAxisTicker::tssMeetTickCount);
    xAxis->setLabel(QStringLiteral("Events on the peak date"));
    setPlaceholder(QStringLiteral("No ids."));
}

namespace {

// Long ids are cut so that the bars keep most of a narrow chart. The bar's
// tool tip has the whole id.
QString barLabel(const QString &label)
{
    constexpr qsizetype kMaxLength = 22;
    return label.size() > kMaxLength
               ? label.left(kMaxLength - 1) + QChar(0x2026)
               : label;
}

} // namespace

void TopChart::setBars(const QStringList &labels,
                       const std::vector<std::int64_t> &values,
                       std::int64_t limit)
{
    m_labels = labels;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QVector<double> keys;
    QVector<double> heights;
    for (qsizetype i = 0; i < labels.size(); ++i) {
        const QString &label = labels[i];
        ticker->addTick(static_cast<double>(i + 1), barLabel(label));
        keys << static_cast<double>(i + 1);
        heights << static_cast<double>(values[static_cast<std::size_t>(i)]);
    }
    yAxis->setTicker(ticker);
    m_bars->setData(keys, heights, true);
    fitTickCount();
    m_limit.setValue(static_cast<double>(limit),
                     QStringLiteral("limit %1").arg(formatCount(limit)));
    setPlaceholder(labels.isEmpty() ? QStringLiteral("No ids match the filter.")
                                    : QString());
    resetView();
}

void TopChart::resizeEvent(QResizeEvent *event)
{
    fitTickCount();
    ChartWidget::resizeEvent(event);
}

// The bars share the width with the id labels, so in a narrow chart the
// default five count labels ("1,000,000") run into each other. Each label
// gets about twice its own width.
void TopChart::fitTickCount()
{
    const QFontMetrics metrics(yAxis->tickLabelFont());
    int labelWidth = 0;
    for (const QString &label : m_labels)
        labelWidth =
            std::max(labelWidth, metrics.horizontalAdvance(barLabel(label)));
    const int barWidth = width() - labelWidth - 40;
    const int countWidth = QFontMetrics(xAxis->tickLabelFont())
                               .horizontalAdvance(QStringLiteral("1,000,000"));
    xAxis->ticker()->setTickCount(
        std::clamp(barWidth / (2 * countWidth), 2, 5));
}

void TopChart::resetView()
{
    double largest = m_limit.value();
    for (auto it = m_bars->data()->constBegin();
         it != m_bars->data()->constEnd(); ++it)
        largest = std::max(largest, it->value);
    xAxis->setRange(0, std::max(1.0, largest * 1.08));
    yAxis->setRange(0.3, std::max(1, m_bars->dataCount()) + 0.7);
    replot();
}

QString TopChart::tooltipText(QCPAbstractPlottable *plottable, int index) const
{
    if (plottable != m_bars || index < 0 || index >= m_labels.size())
        return {};
    const auto value =
        static_cast<std::int64_t>(m_bars->data()->at(index)->value);
    return QStringLiteral("%1\n%2 events")
        .arg(m_labels[index], formatCount(value));
}

ActivityChart::ActivityChart(QWidget *parent)
    : ChartWidget(QStringLiteral("activity"), parent),
      m_bars(new QCPBars(xAxis, yAxis)), m_cumulative(addGraph(xAxis, yAxis2)),
      m_limit(this, xAxis, yAxis2), m_crossing(new QCPItemStraightLine(this)),
      m_crossingLabel(new QCPItemText(this))
{
    m_bars->setName(QStringLiteral("Events"));
    styleBars(m_bars, chart_colors::original());
    m_cumulative->setName(QStringLiteral("Running total"));
    m_cumulative->setPen(QPen(chart_colors::marker(), 2));
    m_cumulative->setLineStyle(QCPGraph::lsStepLeft);
    yAxis->setLabel(QStringLiteral("Events per bucket"));
    yAxis2->setLabel(QStringLiteral("Running total"));
    useCountTicker(yAxis);
    useCountTicker(yAxis2);
    yAxis2->setVisible(true);

    m_crossing->setPen(QPen(chart_colors::limit(), 2));
    m_crossing->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_crossing->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_crossingLabel->setColor(chart_colors::limit());
    m_crossingLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    // At the foot of the chart, clear of the legend in its top left corner;
    // showCrossing() sets its side.
    m_crossing->setVisible(false);
    m_crossingLabel->setVisible(false);
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0,
                                                 Qt::AlignLeft | Qt::AlignTop);
    applyPalette();
    clear(QStringLiteral("Double-click an id or a pair to see its day."));
}

void ActivityChart::clear(const QString &message)
{
    m_bars->data()->clear();
    m_cumulative->data()->clear();
    m_limit.setVisible(false);
    m_crossing->setVisible(false);
    m_crossingLabel->setVisible(false);
    setPlaceholder(message);
    replot();
}

void ActivityChart::setMinuteCounts(Day day, const QTimeZone &zone,
                                    const std::vector<std::int32_t> &perMinute,
                                    int bucketMinutes, std::int64_t limit,
                                    std::optional<std::int64_t> crossingMs)
{
    m_zone = zone;
    m_showsDays = false;
    const Buckets buckets =
        sumBuckets(perMinute, bucketMinutes, day * kSecondsPerDay);
    m_bars->setWidth(bucketMinutes * 60.0 * 0.9);
    m_bars->setData(buckets.keys, buckets.counts, true);
    m_cumulative->setData(buckets.keys, buckets.runningTotals, true);

    auto ticker = makeDateTicker(QTimeZone::utc());
    ticker->setDateTimeFormat(QStringLiteral("HH:mm"));
    xAxis->setTicker(ticker);
    xAxis->setLabel(
        QStringLiteral("Time of day (%1)").arg(QString::fromUtf8(zone.id())));
    yAxis->setLabel(QStringLiteral("Events per %1 min").arg(bucketMinutes));
    yAxis2->setVisible(true);
    m_cumulative->setVisible(true);
    m_limit.setValue(
        static_cast<double>(limit),
        QStringLiteral("limit %1 (right axis)").arg(formatCount(limit)));
    showCrossing(crossingMs);
    // The crossing follows the input order, which is taken as the order of
    // ingestion, while the running total adds events up by time. Input out
    // of time order makes the two disagree, so the label names the order.
    if (crossingMs) {
        const auto byTime =
            std::find_if(buckets.runningTotals.begin(),
                         buckets.runningTotals.end(), [limit](double total) {
                             return total > static_cast<double>(limit);
                         });
        const double at = wallClockSeconds(*crossingMs, m_zone);
        const double bucketSeconds = bucketMinutes * 60.0;
        const bool sameBucket =
            byTime != buckets.runningTotals.end() &&
            std::abs(buckets.keys[byTime - buckets.runningTotals.begin()] -
                     at) < bucketSeconds;
        if (!sameBucket)
            m_crossingLabel->setText(
                m_crossingLabel->text() +
                QStringLiteral(" in input order, which is not time order"));
    }

    setPlaceholder(buckets.total > 0
                       ? QString()
                       : QStringLiteral("No events recorded for this day."));
    resetView();
    yAxis2->setRange(0,
                     std::max(buckets.total, static_cast<double>(limit)) * 1.1);
    replot();
}

void ActivityChart::showCrossing(std::optional<std::int64_t> crossingMs)
{
    const bool crossed = crossingMs.has_value();
    m_crossing->setVisible(crossed);
    m_crossingLabel->setVisible(crossed);
    if (!crossed)
        return;
    const double at = wallClockSeconds(*crossingMs, m_zone);
    m_crossing->point1->setCoords(at, 0);
    m_crossing->point2->setCoords(at, 1);
    m_crossingLabel->position->setCoords(at, 0.97);
    // A crossing late in the day gets its label on its left, so that the
    // label stays inside the chart.
    const double secondOfDay =
        at - std::floor(at / kSecondsPerDay) * kSecondsPerDay;
    m_crossingLabel->setPositionAlignment(
        (secondOfDay > kSecondsPerDay / 2 ? Qt::AlignRight : Qt::AlignLeft) |
        Qt::AlignBottom);
    m_crossingLabel->setText(QStringLiteral(" limit crossed %1")
                                 .arg(formatTime(*crossingMs, m_zone)));
}

void ActivityChart::setDayCounts(const std::vector<DayCount> &days,
                                 std::int64_t limit)
{
    m_showsDays = true;
    QVector<double> keys;
    QVector<double> values;
    for (const DayCount &day : days) {
        keys << day.day * kSecondsPerDay;
        values << static_cast<double>(day.events);
    }
    m_bars->setWidth(kSecondsPerDay * 0.7);
    m_bars->setData(keys, values, true);
    m_cumulative->data()->clear();
    m_cumulative->setVisible(false);
    yAxis2->setVisible(false);
    xAxis->setTicker(makeDateTicker(QTimeZone::utc()));
    xAxis->setLabel(QStringLiteral("Date"));
    yAxis->setLabel(QStringLiteral("Events per day"));
    m_crossing->setVisible(false);
    m_crossingLabel->setVisible(false);
    m_limit.setVisible(false);
    setPlaceholder(days.empty() ? QStringLiteral("No dated events.")
                                : QString());
    rescaleAxes();
    xAxis->setRange(xAxis->range().lower - 0.6 * kSecondsPerDay,
                    xAxis->range().upper + 0.6 * kSecondsPerDay);
    yAxis->setRange(
        0, std::max(yAxis->range().upper, static_cast<double>(limit)) * 1.05);
    replot();
}

std::optional<double> ActivityChart::crossingSeconds() const
{
    if (!m_crossing->visible())
        return std::nullopt;
    return m_crossing->point1->key();
}

QString ActivityChart::keyText(double key) const
{
    if (m_showsDays)
        return dayKeyText(key);
    const QDateTime wallClock = QDateTime::fromSecsSinceEpoch(
        static_cast<qint64>(key), QTimeZone::utc());
    return wallClock.toString(QStringLiteral("yyyy-MM-dd HH:mm ")) +
           QString::fromUtf8(m_zone.id());
}

RecordTimeline::RecordTimeline(QWidget *parent)
    : ChartWidget(QStringLiteral("hotshard-records"), parent)
{
    yAxis->setRangeReversed(true);
    yAxis->grid()->setVisible(false);
    yAxis->setNumberFormat(QStringLiteral("g"));
    xAxis->setLabel(QStringLiteral("Time of the $hotshard_record event"));
    setPlaceholder(QStringLiteral("No $hotshard_record events."));
}

void RecordTimeline::setRecords(
    const std::vector<const HotshardRecord *> &records, const QTimeZone &zone)
{
    m_zone = zone;
    clearGraphs();
    m_pointRecords.clear();
    std::map<std::string, std::vector<const HotshardRecord *>> lanes;
    for (const HotshardRecord *record : records)
        lanes[record->groupKey].push_back(record);

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    int lane = 0;
    for (auto &[key, laneRecords] : lanes) {
        ++lane;
        QCPGraph *graph = addGraph();
        graph->setName(key.empty() ? QStringLiteral("user") : displayText(key));
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(QCPScatterStyle(
            QCPScatterStyle::ssDiamond, chart_colors::series(lane - 1),
            chart_colors::series(lane - 1), 11));
        std::stable_sort(
            laneRecords.begin(), laneRecords.end(),
            [](auto *a, auto *b) { return a->timeMs < b->timeMs; });
        for (const HotshardRecord *record : laneRecords)
            graph->addData(static_cast<double>(record->timeMs) / 1000.0, lane);
        ticker->addTick(
            lane, key.empty()
                      ? QStringLiteral("user records")
                      : QStringLiteral("group key %1").arg(displayText(key)));
        m_pointRecords.insert(graph, laneRecords);
    }
    yAxis->setTicker(ticker);
    auto dateTicker = makeDateTicker(zone);
    dateTicker->setDateTimeFormat(QStringLiteral("MMM dd\nHH:mm"));
    xAxis->setTicker(dateTicker);
    setPlaceholder(records.empty()
                       ? QStringLiteral("No $hotshard_record events match.")
                       : QString());
    rescaleAxes();
    const QCPRange keys = xAxis->range();
    const double margin = std::max(3600.0, keys.size() * 0.05);
    xAxis->setRange(keys.lower - margin, keys.upper + margin);
    yAxis->setRange(0.4, lane + 0.6);
    replot();
}

int RecordTimeline::pointCount() const
{
    int count = 0;
    for (int i = 0; i < graphCount(); ++i)
        count += graph(i)->dataCount();
    return count;
}

QString RecordTimeline::tooltipText(QCPAbstractPlottable *plottable,
                                    int index) const
{
    const auto found = m_pointRecords.constFind(plottable);
    if (found == m_pointRecords.constEnd() || index < 0 ||
        static_cast<std::size_t>(index) >= found->size())
        return {};
    const HotshardRecord &record = *(*found)[static_cast<std::size_t>(index)];
    const QString who = record.groupKey.empty()
                            ? QStringLiteral("distinct_id '%1'")
                                  .arg(displayText(record.distinctId))
                            : QStringLiteral("%1 = '%2' (%3)")
                                  .arg(displayText(record.groupKey),
                                       displayText(record.distinctId),
                                       displayText(record.groupDisplayName));
    return QStringLiteral("%1\n%2").arg(formatTime(record.timeMs, m_zone), who);
}

} // namespace hsi::ui
