#include "column_fitter.h"
#include "id_table_model.h"
#include "overview_page.h"
#include "report_fixture.h"
#include "report_models.h"
#include "table_page.h"

#include <QHeaderView>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>

using namespace hsi;
using namespace hsi::ui;

namespace {

constexpr int kMinimumWidth = 60;

const QString kLongId = QStringLiteral("7f3e9c2a-5b1d-4c8e-9a0f-3d2b1c4e5f60");

/// A model that can announce a reset, as the id model does on a filter
/// change.
class ResettableModel : public QStandardItemModel {
public:
    void announceReset()
    {
        beginResetModel();
        endResetModel();
    }
};

/// A table shaped like the pair table: an id, a count, a file:line and a
/// cause. The id and the cause are the elidable columns.
class FitterFixture {
public:
    FitterFixture()
    {
        model.setHorizontalHeaderLabels(
            {QStringLiteral("Id"), QStringLiteral("Events"),
             QStringLiteral("Crossing event"), QStringLiteral("Likely cause")});
        model.appendRow(
            {new QStandardItem(kLongId),
             new QStandardItem(QStringLiteral("1,025,090")),
             new QStandardItem(QStringLiteral("export.json:17")),
             new QStandardItem(QStringLiteral("duplicate events"))});
        view.setModel(&model);
        fitter = new ColumnFitter(&view, {0, 3}, kMinimumWidth);
    }

    /// Shows the view with a viewport `width` pixels wide.
    void showWithViewportWidth(int width)
    {
        view.show();
        view.resize(width + view.width() - view.viewport()->width(), 200);
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_COMPARE(view.viewport()->width(), width);
    }

    int widthSum() const
    {
        int sum = 0;
        for (int column = 0; column < model.columnCount(); ++column)
            sum += view.columnWidth(column);
        return sum;
    }

    ResettableModel model;
    QTableView view;
    ColumnFitter *fitter = nullptr;
};

int columnWidthSum(const QTableView &view)
{
    int sum = 0;
    for (int column = 0; column < view.model()->columnCount(); ++column) {
        if (!view.isColumnHidden(column))
            sum += view.columnWidth(column);
    }
    return sum;
}

/// The small report with alice renamed to a UUID, which is wider than the
/// other columns need.
std::shared_ptr<const Report> makeLongIdReport()
{
    auto report = std::make_shared<Report>(*test::makeSmallReport());
    const std::string longId = kLongId.toStdString();
    for (IdVolume &volume : report->ids) {
        if (volume.id == "alice")
            volume.id = longId;
    }
    for (PairFinding &finding : report->hotShards) {
        if (finding.id == "alice")
            finding.id = longId;
    }
    return report;
}

} // namespace

class UiColumnFitterTest : public QObject {
    Q_OBJECT
private slots:
    void wideViewportShowsWholeText();
    void narrowViewportShrinksElidable();
    void widestElidableShrinksFirst();
    void tooNarrowKeepsMinimum();
    void modelResetMeasuresAgain();
    void overviewShowsWholeId();
    void idTableFitsWindow();
};

void UiColumnFitterTest::wideViewportShowsWholeText()
{
    FitterFixture table;
    table.showWithViewportWidth(900);
    const QList<int> &content = table.fitter->contentWidths();
    for (int column = 0; column < 3; ++column)
        QCOMPARE(table.view.columnWidth(column), content[column]);
    // The spare width goes to the last column, so nothing scrolls and
    // nothing is left blank.
    QCOMPARE(table.widthSum(), 900);
    QVERIFY(table.view.columnWidth(3) > content[3]);
}

void UiColumnFitterTest::narrowViewportShrinksElidable()
{
    FitterFixture table;
    const QList<int> &content = table.fitter->contentWidths();
    const int needed = content[0] + content[1] + content[2] + content[3];
    table.showWithViewportWidth(needed - 40);
    QCOMPARE(table.widthSum(), needed - 40);
    // Columns that do not elide keep their content width.
    QCOMPARE(table.view.columnWidth(1), content[1]);
    QCOMPARE(table.view.columnWidth(2), content[2]);
    QVERIFY(table.view.columnWidth(0) < content[0]);
}

void UiColumnFitterTest::widestElidableShrinksFirst()
{
    FitterFixture table;
    const QList<int> &content = table.fitter->contentWidths();
    QVERIFY(content[0] > content[3] + 20);
    const int needed = content[0] + content[1] + content[2] + content[3];
    table.showWithViewportWidth(needed - 10);
    QCOMPARE(table.view.columnWidth(3), content[3]);
    QCOMPARE(table.view.columnWidth(0), content[0] - 10);
}

void UiColumnFitterTest::tooNarrowKeepsMinimum()
{
    FitterFixture table;
    table.showWithViewportWidth(150);
    QCOMPARE(table.view.columnWidth(0), kMinimumWidth);
    QVERIFY(table.view.columnWidth(3) >= kMinimumWidth);
    QVERIFY(table.widthSum() > 150);
}

void UiColumnFitterTest::modelResetMeasuresAgain()
{
    FitterFixture table;
    table.showWithViewportWidth(900);
    const int before = table.fitter->contentWidths()[0];
    table.model.item(0, 0)->setText(QStringLiteral("a"));
    table.model.announceReset();
    QVERIFY(table.fitter->contentWidths()[0] < before);
}

void UiColumnFitterTest::overviewShowsWholeId()
{
    OverviewPage page;
    page.resize(1400, 600);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.setReport(makeLongIdReport());
    const QTableView *view = page.findingView();
    const QModelIndex id =
        page.findingModel()->index(0, FindingTableModel::IdColumn);
    QCOMPARE(id.data().toString(), kLongId);
    const int needed = view->fontMetrics().horizontalAdvance(kLongId);
    QTRY_VERIFY(view->columnWidth(FindingTableModel::IdColumn) > needed);
    QTRY_COMPARE(columnWidthSum(*view), view->viewport()->width());
}

// Every column of the per-id and per-group tables stays in view at the
// default window width, without a horizontal scroll bar.
void UiColumnFitterTest::idTableFitsWindow()
{
    for (ShardKind kind : {ShardKind::User, ShardKind::Group}) {
        TablePage page(kind);
        page.resize(1380, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setReport(makeLongIdReport());
        const QTableView *view = page.view();
        QTRY_COMPARE(columnWidthSum(*view), view->viewport()->width());
        QVERIFY(!view->horizontalScrollBar()->isVisible());
        QVERIFY(view->columnWidth(IdTableModel::CauseColumn) >=
                view->fontMetrics().horizontalAdvance(
                    QStringLiteral("static id, many devices")));
    }
}

QTEST_MAIN(UiColumnFitterTest)
#include "tst_ui_column_fitter.moc"
