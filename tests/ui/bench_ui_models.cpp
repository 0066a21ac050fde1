// Measures the id table model on a million ids: loading a report, sorting
// by a numeric and a text column, and filtering. Not part of CTest; run
// build/tests/ui/bench_ui_models by hand.
#include "id_table_model.h"
#include "report_fixture.h"

#include <QTest>

using namespace hsi;
using namespace hsi::ui;

class UiModelsBench : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void setReport();
    void sortByEvents();
    void sortById();
    void filterIds();

private:
    static constexpr int kIds = 1'000'000;
    std::shared_ptr<const Report> m_report;
};

void UiModelsBench::initTestCase()
{
    m_report = test::makeManyIdsReport(kIds);
}

void UiModelsBench::setReport()
{
    IdTableModel model(ShardKind::User);
    QBENCHMARK
    {
        model.setReport(m_report);
    }
    QCOMPARE(model.rowCount(), kIds);
}

void UiModelsBench::sortByEvents()
{
    IdTableModel model(ShardKind::User);
    model.setReport(m_report);
    Qt::SortOrder order = Qt::AscendingOrder;
    QBENCHMARK
    {
        model.sort(IdTableModel::EventsColumn, order);
        order = order == Qt::AscendingOrder ? Qt::DescendingOrder
                                            : Qt::AscendingOrder;
    }
    QCOMPARE(model.rowCount(), kIds);
}

void UiModelsBench::sortById()
{
    IdTableModel model(ShardKind::User);
    model.setReport(m_report);
    Qt::SortOrder order = Qt::AscendingOrder;
    QBENCHMARK
    {
        model.sort(IdTableModel::IdColumn, order);
        order = order == Qt::AscendingOrder ? Qt::DescendingOrder
                                            : Qt::AscendingOrder;
    }
    QCOMPARE(model.rowCount(), kIds);
}

void UiModelsBench::filterIds()
{
    IdTableModel model(ShardKind::User);
    model.setReport(m_report);
    bool narrow = true;
    QBENCHMARK
    {
        model.setFilterText(narrow ? QStringLiteral("user-99999")
                                   : QStringLiteral("user-1"));
        narrow = !narrow;
    }
    QVERIFY(model.rowCount() > 0);
}

QTEST_MAIN(UiModelsBench)
#include "bench_ui_models.moc"
