#include "chart_widget.h"

#include "format.h"

#include <QBuffer>
#include <QContextMenuEvent>
#include <QFileDialog>
#include <QMenu>
#include <QToolTip>

namespace hsi::ui {

namespace chart_colors {
QColor original()
{
    return QColor(0x00, 0x72, 0xB2);
}
QColor remediated()
{
    return QColor(0xE6, 0x9F, 0x00);
}
QColor overlay()
{
    return QColor(0xCC, 0x79, 0xA7);
}
QColor limit()
{
    return QColor(0xD5, 0x5E, 0x00);
}
QColor marker()
{
    return QColor(0x00, 0x9E, 0x73);
}
QColor series(int index)
{
    static const QColor colors[] = {
        original(), remediated(), marker(), overlay(), QColor(0x56, 0xB4, 0xE9),
        limit()};
    return colors[index % 6];
}
} // namespace chart_colors

ChartWidget::ChartWidget(const QString &title, QWidget *parent)
    : QCustomPlot(parent), m_title(title)
{
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeDrag(Qt::Horizontal);
    axisRect()->setRangeZoom(Qt::Horizontal);
    setMouseTracking(true);
    setNoAntialiasingOnDrag(true);
    setMinimumSize(240, 180);
    setAccessibleName(title);
    applyPalette();
}

void ChartWidget::applyPalette()
{
    const QPalette &colors = palette();
    const QColor text = colors.color(QPalette::WindowText);
    QColor grid = colors.color(QPalette::Mid);
    grid.setAlpha(110);
    setBackground(colors.brush(QPalette::Base));
    axisRect()->setBackground(colors.brush(QPalette::Base));
    for (QCPAxis *axis : axisRect()->axes()) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 0, Qt::DotLine));
    }
    if (legend) {
        legend->setBrush(colors.brush(QPalette::Base));
        legend->setTextColor(text);
        legend->setBorderPen(QPen(grid));
    }
    if (m_placeholder)
        m_placeholder->setColor(text);
    // Labels of marker lines sit over bars, so they get the background's
    // colour behind them.
    QColor behind = colors.color(QPalette::Base);
    behind.setAlpha(230);
    for (int i = 0; i < itemCount(); ++i) {
        auto *label = qobject_cast<QCPItemText *>(item(i));
        if (label && label != m_placeholder) {
            label->setBrush(behind);
            label->setPadding(QMargins(3, 1, 3, 1));
        }
    }
}

void ChartWidget::changeEvent(QEvent *event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyPalette();
        replot();
    }
}

void ChartWidget::setPlaceholder(const QString &text)
{
    if (!m_placeholder) {
        m_placeholder = new QCPItemText(this);
        m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
        m_placeholder->position->setCoords(0.5, 0.5);
        m_placeholder->setClipToAxisRect(false);
        m_placeholder->setColor(palette().color(QPalette::WindowText));
    }
    m_placeholder->setText(text);
    m_placeholder->setVisible(!text.isEmpty());
}

void ChartWidget::resetView()
{
    rescaleAxes();
    replot();
}

QString ChartWidget::keyText(double key) const
{
    return QString::number(key, 'g', 12);
}

QString ChartWidget::tooltipText(QCPAbstractPlottable *plottable,
                                 int index) const
{
    QCPPlottableInterface1D *series = plottable->interface1D();
    if (!series || index < 0 || index >= series->dataCount())
        return {};
    const auto value =
        static_cast<std::int64_t>(std::llround(series->dataMainValue(index)));
    return QStringLiteral("%1\n%2: %3")
        .arg(keyText(series->dataMainKey(index)), plottable->name(),
             formatCount(value));
}

void ChartWidget::mouseMoveEvent(QMouseEvent *event)
{
    QCustomPlot::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton)
        return;
    int index = -1;
    QCPAbstractPlottable *plottable =
        plottableAt(event->position(), false, &index);
    const QString text = plottable ? tooltipText(plottable, index) : QString();
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void ChartWidget::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    menu.addAction(QStringLiteral("Reset zoom"), this, &ChartWidget::resetView);
    menu.addAction(QStringLiteral("Save chart as PNG or PDF…"), this,
                   &ChartWidget::promptSave);
    menu.exec(event->globalPos());
}

void ChartWidget::promptSave()
{
    const QString path = QFileDialog::getSaveFileName(
        this, QStringLiteral("Save chart"), m_title + QStringLiteral(".png"),
        QStringLiteral("PNG image (*.png);;PDF document (*.pdf)"));
    if (!path.isEmpty() && !saveImage(path))
        QToolTip::showText(
            mapToGlobal(rect().center()),
            QStringLiteral(
                "Could not write %1: check the folder's permissions.")
                .arg(path),
            this);
}

bool ChartWidget::saveImage(const QString &path)
{
    if (path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive))
        return savePdf(path, width(), height(), QCP::epNoCosmetic,
                       QStringLiteral("Hot Shard Investigator"), m_title);
    return savePng(path, width(), height(), 2.0);
}

QByteArray ChartWidget::toPng(const QSize &size)
{
    const QPixmap pixmap = toPixmap(size.width(), size.height(), 1.0);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    pixmap.save(&buffer, "PNG");
    return bytes;
}

QString CountTicker::getTickLabel(double tick, const QLocale &, QChar, int)
{
    return formatCount(static_cast<std::int64_t>(std::llround(tick)));
}

void useCountTicker(QCPAxis *axis)
{
    axis->setTicker(QSharedPointer<CountTicker>::create());
}

QSharedPointer<QCPAxisTickerDateTime> makeDateTicker(const QTimeZone &zone)
{
    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setTimeZone(zone);
    ticker->setDateTimeFormat(QStringLiteral("MMM dd"));
    return ticker;
}

LimitLine::LimitLine(QCustomPlot *plot, QCPAxis *keyAxis, QCPAxis *valueAxis)
    : m_line(new QCPItemStraightLine(plot)), m_label(new QCPItemText(plot)),
      m_horizontal(valueAxis->orientation() == Qt::Vertical)
{
    m_line->setPen(QPen(chart_colors::limit(), 2, Qt::DashLine));
    m_label->setColor(chart_colors::limit());
    QCPAxis *xAxis = m_horizontal ? keyAxis : valueAxis;
    QCPAxis *yAxis = m_horizontal ? valueAxis : keyAxis;
    m_line->point1->setAxes(xAxis, yAxis);
    m_line->point2->setAxes(xAxis, yAxis);
    m_label->position->setAxes(xAxis, yAxis);
    // The label sits at the edge of the axis rect, at the line's value.
    if (m_horizontal) {
        m_label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        m_label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    } else {
        m_label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        m_label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    }
    setVisible(false);
}

void LimitLine::setValue(double value, const QString &label)
{
    m_value = value;
    if (m_horizontal) {
        m_line->point1->setCoords(0, value);
        m_line->point2->setCoords(1, value);
        m_label->position->setCoords(0.99, value);
    } else {
        m_line->point1->setCoords(value, 0);
        m_line->point2->setCoords(value, 1);
        m_label->position->setCoords(value, 0.99);
    }
    m_label->setText(label);
    setVisible(true);
}

void LimitLine::setVisible(bool visible)
{
    m_line->setVisible(visible);
    m_label->setVisible(visible);
}

} // namespace hsi::ui
