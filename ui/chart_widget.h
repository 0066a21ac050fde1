#pragma once

#include <QByteArray>
#include <QColor>
#include <QString>
#include <qcustomplot.h>

namespace hsi::ui {

/// Series colours that stay readable on light and dark backgrounds: the
/// Okabe-Ito palette, whose colours stay distinct for colour-blind readers.
namespace chart_colors {
QColor original();
QColor remediated();
QColor overlay();
QColor limit();
QColor marker();
QColor series(int index);
} // namespace chart_colors

/// A QCustomPlot with the behaviour that every chart of the program shares.
///
/// Axes and text take their colours from the widget palette. The mouse zooms
/// and pans the horizontal axis, a tooltip shows the exact value under the
/// mouse, and the context menu saves the chart as PNG or PDF.
class ChartWidget : public QCustomPlot {
    Q_OBJECT
public:
    explicit ChartWidget(const QString &title, QWidget *parent = nullptr);

    /// A short title, also used for file names when the chart is saved.
    QString title() const { return m_title; }
    /// Saves the chart as PDF when `path` ends in ".pdf", otherwise as PNG at
    /// twice the widget size. Returns false when the file cannot be written.
    bool saveImage(const QString &path);
    /// Renders the chart at `size` (logical pixels) as PNG bytes.
    QByteArray toPng(const QSize &size);
    /// Restores the full data range on both axes.
    virtual void resetView();
    /// Returns the tooltip for data point `index` of `plottable`, or an
    /// empty string for none.
    virtual QString tooltipText(QCPAbstractPlottable *plottable,
                                int index) const;

protected:
    /// Formats a key for tooltips. The default prints the number.
    virtual QString keyText(double key) const;
    void changeEvent(QEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    /// Shows `text` as a centred message over an empty chart, or hides it.
    void setPlaceholder(const QString &text);
    /// Applies palette colours to axes, grid and text.
    void applyPalette();

private:
    void promptSave();

    QString m_title;
    QCPItemText *m_placeholder = nullptr;
};

/// A value axis ticker that labels counts with thousands separators
/// ("200,000") in place of QCustomPlot's "2·10⁵".
class CountTicker : public QCPAxisTicker {
protected:
    QString getTickLabel(double tick, const QLocale &locale, QChar formatChar,
                         int precision) override;
};

/// Sets a CountTicker on `axis`.
void useCountTicker(QCPAxis *axis);

/// Returns a date axis ticker with "Mar 06" labels in `zone`.
QSharedPointer<QCPAxisTickerDateTime> makeDateTicker(const QTimeZone &zone);

/// A dashed line across the plot at a limit, with a label. The line is
/// horizontal when `valueAxis` is vertical and vertical otherwise.
class LimitLine {
public:
    LimitLine(QCustomPlot *plot, QCPAxis *keyAxis, QCPAxis *valueAxis);

    void setValue(double value, const QString &label);
    void setVisible(bool visible);
    double value() const { return m_value; }
    bool isVisible() const { return m_line->visible(); }

private:
    QCPItemStraightLine *m_line;
    QCPItemText *m_label;
    bool m_horizontal;
    double m_value = 0;
};

} // namespace hsi::ui
