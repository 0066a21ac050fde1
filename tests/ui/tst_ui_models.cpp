#include "day_page.h"
#include "format.h"
#include "id_table_model.h"
#include "problem_model.h"
#include "record_model.h"
#include "report_fixture.h"
#include "report_models.h"

#include <QAbstractItemModelTester>
#include <QPersistentModelIndex>
#include <QTest>

using namespace hsi;
using namespace hsi::ui;

namespace {

using Tester = QAbstractItemModelTester;
constexpr auto kFatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

QString cell(const QAbstractItemModel &model, int row, int column,
             int role = Qt::DisplayRole)
{
    return model.data(model.index(row, column), role).toString();
}

/// Sorts by every column in both orders, so that the tester checks each
/// layout change.
void sortEveryColumn(QAbstractItemModel &model)
{
    for (int column = 0; column < model.columnCount(); ++column) {
        model.sort(column, Qt::AscendingOrder);
        model.sort(column, Qt::DescendingOrder);
    }
}

} // namespace

class UiModelsTest : public QObject {
    Q_OBJECT
private slots:
    void idModelTester();
    void idModelKinds();
    void idModelFilter();
    void idModelNumericSort();
    void idModelFindings();
    void idModelPersistentIndex();
    void idModelTopRows();
    void idModelManyRows();
    void findingModelTester();
    void namedCountModelTester();
    void recordModelTester();
    void recordModelFilters();
    void problemModelTester();
    void problemModelEntries();
    void legacyTimesNamedProjectTime();
    void groupCauseNamesUsers();
    void inputTextEscaped();
};

void UiModelsTest::idModelTester()
{
    IdTableModel model(ShardKind::User);
    Tester tester(&model, kFatal);
    model.setReport(test::makeSmallReport());
    sortEveryColumn(model);
    model.setFilterText(QStringLiteral("a"));
    sortEveryColumn(model);
    model.setFilterText(QStringLiteral("no such id"));
    model.setReport(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void UiModelsTest::idModelKinds()
{
    IdTableModel users(ShardKind::User);
    IdTableModel groups(ShardKind::Group);
    users.setReport(test::makeSmallReport());
    groups.setReport(test::makeSmallReport());
    QCOMPARE(users.rowCount(), 5);
    QCOMPARE(groups.rowCount(), 1);
    QCOMPARE(cell(groups, 0, IdTableModel::IdColumn), QStringLiteral("Acme"));
    QCOMPARE(cell(groups, 0, IdTableModel::GroupKeyColumn),
             QStringLiteral("company"));
    QCOMPARE(groups.limit(), 500);
    QCOMPARE(users.limit(), 100);
}

void UiModelsTest::idModelFilter()
{
    IdTableModel model(ShardKind::User);
    model.setReport(test::makeSmallReport());
    model.setFilterText(QStringLiteral("ALI"));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(cell(model, 0, IdTableModel::IdColumn), QStringLiteral("alice"));
    model.setFilterText(QStringLiteral("o"));
    QCOMPARE(model.rowCount(), 2); // bob, carol
    model.setFilterText(QString());
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.totalCount(), std::size_t(5));
}

void UiModelsTest::idModelNumericSort()
{
    IdTableModel model(ShardKind::User);
    model.setReport(test::makeSmallReport());
    model.sort(IdTableModel::EventsColumn, Qt::AscendingOrder);
    // As text "10" < "100" < "150" < "80" < "9"; the sort must be numeric.
    const QStringList expected = {
        QStringLiteral("carol"), QStringLiteral("dave"), QStringLiteral("bob"),
        QStringLiteral("undefined"), QStringLiteral("alice")};
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(cell(model, row, IdTableModel::IdColumn), expected[row]);
    QCOMPARE(model.data(model.index(0, IdTableModel::EventsColumn), SortRole)
                 .toLongLong(),
             9);
    QCOMPARE(cell(model, 4, IdTableModel::EventsColumn), QStringLiteral("150"));
}

void UiModelsTest::idModelFindings()
{
    IdTableModel model(ShardKind::User);
    model.setReport(test::makeSmallReport());
    model.setFilterText(QStringLiteral("alice"));
    QVERIFY(model.findingAt(0));
    QCOMPARE(cell(model, 0, IdTableModel::UniqueEventsColumn),
             QStringLiteral("120"));
    QCOMPARE(cell(model, 0, IdTableModel::OverLimitColumn),
             QStringLiteral("50"));
    QCOMPARE(cell(model, 0, IdTableModel::RemediatedColumn),
             QStringLiteral("30"));
    QCOMPARE(cell(model, 0, IdTableModel::CauseColumn),
             QStringLiteral("static id, many devices"));

    model.setFilterText(QStringLiteral("bob"));
    QVERIFY(model.findingAt(0));
    QCOMPARE(cell(model, 0, IdTableModel::CauseColumn),
             QStringLiteral("no single cause"));

    // Ids that were neither hot nor near the limit have no unique count and
    // no cause: a dash with a tool tip explains why, where a blank would not.
    model.setFilterText(QStringLiteral("undefined"));
    QVERIFY(!model.findingAt(0));
    const QString dash = QStringLiteral("\u2013");
    QCOMPARE(cell(model, 0, IdTableModel::UniqueEventsColumn), dash);
    QCOMPARE(cell(model, 0, IdTableModel::CauseColumn), dash);
    QCOMPARE(cell(model, 0, IdTableModel::FlagsColumn),
             QStringLiteral("placeholder value"));
    // The view may elide the id and the flags, so the tool tips repeat them.
    QCOMPARE(cell(model, 0, IdTableModel::IdColumn, Qt::ToolTipRole),
             QStringLiteral("undefined"));
    QCOMPARE(cell(model, 0, IdTableModel::FlagsColumn, Qt::ToolTipRole),
             QStringLiteral("placeholder value"));
    for (int column :
         {IdTableModel::UniqueEventsColumn, IdTableModel::CauseColumn}) {
        QVERIFY(cell(model, 0, column, Qt::ToolTipRole)
                    .contains(QLatin1String("hot and near-limit pairs")));
        QVERIFY(model.headerData(column, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("dash")));
    }
    // Sorting puts the ids without a count below every counted one.
    model.setFilterText(QString());
    model.sort(IdTableModel::UniqueEventsColumn, Qt::DescendingOrder);
    QCOMPARE(cell(model, 0, IdTableModel::UniqueEventsColumn),
             QStringLiteral("120"));
    QCOMPARE(
        cell(model, model.rowCount() - 1, IdTableModel::UniqueEventsColumn),
        dash);
}

void UiModelsTest::idModelPersistentIndex()
{
    IdTableModel model(ShardKind::User);
    model.setReport(test::makeSmallReport());
    model.sort(IdTableModel::EventsColumn, Qt::DescendingOrder);
    const QPersistentModelIndex bob(model.index(2, IdTableModel::IdColumn));
    QCOMPARE(bob.data().toString(), QStringLiteral("bob"));
    model.sort(IdTableModel::IdColumn, Qt::AscendingOrder);
    QCOMPARE(bob.row(), 1);
    QCOMPARE(bob.data().toString(), QStringLiteral("bob"));
}

void UiModelsTest::idModelTopRows()
{
    IdTableModel model(ShardKind::User);
    model.setReport(test::makeSmallReport());
    model.sort(IdTableModel::IdColumn, Qt::AscendingOrder);
    const std::vector<int> top = model.topRows(2);
    QCOMPARE(top.size(), std::size_t(2));
    QCOMPARE(toQString(model.volumeAt(top[0]).id), QStringLiteral("alice"));
    QCOMPARE(toQString(model.volumeAt(top[1]).id), QStringLiteral("undefined"));
    QCOMPARE(model.topRows(50).size(), std::size_t(5));
}

void UiModelsTest::idModelManyRows()
{
    constexpr int kCount = 20000;
    IdTableModel model(ShardKind::User);
    model.setReport(test::makeManyIdsReport(kCount));
    QCOMPARE(model.rowCount(), kCount);
    model.sort(IdTableModel::EventsColumn, Qt::AscendingOrder);
    for (int row = 0; row < kCount; row += 997)
        QCOMPARE(model.volumeAt(row).peakEvents, row + 1);
    model.setFilterText(QStringLiteral("user-1999"));
    // user-1999 and user-19990 .. user-19999.
    QCOMPARE(model.rowCount(), 11);
}

void UiModelsTest::findingModelTester()
{
    FindingTableModel model;
    Tester tester(&model, kFatal);
    model.setReport(test::makeSmallReport());
    QCOMPARE(model.rowCount(), 3);
    QVERIFY(model.isHotAt(0));
    QVERIFY(!model.isHotAt(2));
    QCOMPARE(cell(model, 0, FindingTableModel::IdColumn),
             QStringLiteral("alice"));
    QCOMPARE(cell(model, 1, FindingTableModel::IdColumn),
             QStringLiteral("company = Acme"));
    QCOMPARE(cell(model, 0, FindingTableModel::ShareOfLimitColumn),
             QStringLiteral("150%"));
    QCOMPARE(cell(model, 0, FindingTableModel::CrossingPlaceColumn),
             QStringLiteral("export.json:101"));
    QCOMPARE(cell(model, 2, FindingTableModel::StatusColumn),
             QStringLiteral("near limit"));
    QCOMPARE(cell(model, 2, FindingTableModel::CauseColumn),
             QStringLiteral("no single cause"));
    sortEveryColumn(model);
    model.sort(FindingTableModel::EventsColumn, Qt::AscendingOrder);
    QCOMPARE(cell(model, 0, FindingTableModel::IdColumn),
             QStringLiteral("bob"));
    model.setReport(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void UiModelsTest::namedCountModelTester()
{
    const auto report = test::makeSmallReport();
    NamedCountModel model(QStringLiteral("Event name"));
    Tester tester(&model, kFatal);
    const PairFinding &alice = report->hotShards.front();
    model.setCounts(report, &alice.evidence.topEvents, alice.events);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, NamedCountModel::ShareColumn),
             QStringLiteral("66.7%"));
    model.sort(NamedCountModel::CountColumn, Qt::AscendingOrder);
    QCOMPARE(cell(model, 0, NamedCountModel::NameColumn),
             QStringLiteral("Signed In"));
    sortEveryColumn(model);
    model.setCounts(nullptr, nullptr, 0);
    QCOMPARE(model.rowCount(), 0);
}

void UiModelsTest::recordModelTester()
{
    RecordTableModel model;
    Tester tester(&model, kFatal);
    model.setReport(test::makeSmallReport());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, RecordTableModel::TimeColumn),
             QStringLiteral("2024-03-06 10:00:00 UTC"));
    sortEveryColumn(model);
    model.setFilterText(QStringLiteral("acme inc"));
    QCOMPARE(model.rowCount(), 1);
    model.setReport(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void UiModelsTest::recordModelFilters()
{
    RecordTableModel model;
    model.setReport(test::makeSmallReport());
    model.setKindFilter(RecordTableModel::KindFilter::User);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(cell(model, 0, RecordTableModel::IdColumn),
             QStringLiteral("alice"));
    model.setKindFilter(RecordTableModel::KindFilter::Group);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(cell(model, 0, RecordTableModel::GroupKeyColumn),
             QStringLiteral("company"));
    model.setKindFilter(RecordTableModel::KindFilter::Group,
                        QStringLiteral("account"));
    QCOMPARE(model.rowCount(), 0);
    model.setKindFilter(RecordTableModel::KindFilter::All);
    QCOMPARE(model.rowCount(), 2);
}

void UiModelsTest::problemModelTester()
{
    ProblemTableModel model;
    Tester tester(&model, kFatal);
    model.setReport(*test::makeSmallReport());
    sortEveryColumn(model);
    model.setErrorsOnly(true);
    QCOMPARE(model.rowCount(), 1);
    model.setScanFailure(QStringLiteral("unknown time zone 'Mars/Base'"));
    QCOMPARE(model.rowCount(), 1);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void UiModelsTest::problemModelEntries()
{
    ProblemTableModel model;
    model.setReport(*test::makeSmallReport());
    // Two file problems and one id problem.
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.errorCount(), 1);
    QCOMPARE(model.warningCount(), 2);
    QCOMPARE(cell(model, 0, ProblemTableModel::SeverityColumn),
             QStringLiteral("error"));
    QCOMPARE(cell(model, 0, ProblemTableModel::FileColumn),
             QStringLiteral("export.json"));
    QCOMPARE(cell(model, 0, ProblemTableModel::LineColumn),
             QStringLiteral("7"));
    QVERIFY(cell(model, 2, ProblemTableModel::MessageColumn)
                .contains(QLatin1String("undefined")));
    QCOMPARE(model.unlistedCount(), std::int64_t{0});

    // The scan keeps a bounded list per file; the model counts the rest.
    Report report = *test::makeSmallReport();
    report.inputs[0].problemCount = 402;
    model.setReport(report);
    QCOMPARE(model.unlistedCount(), std::int64_t{400});
    QCOMPARE(model.rowCount(), 4);
    QVERIFY(cell(model, 2, ProblemTableModel::MessageColumn)
                .contains(QLatin1String("400 more problems")));
}

void UiModelsTest::legacyTimesNamedProjectTime()
{
    // 12:00 in `time` of a legacy project is 12:00 project time, shown
    // without conversion and not named UTC.
    const std::int64_t noon = 1709726400000;
    ScanSettings legacy;
    legacy.legacyProjectTime = true;
    legacy.timeZone = "America/Los_Angeles";
    QCOMPARE(formatTime(noon, reportTimeZone(legacy)),
             QStringLiteral("2024-03-06 12:00:00 project time"));
    const ScanSettings utc;
    QCOMPARE(formatTime(noon, reportTimeZone(utc)),
             QStringLiteral("2024-03-06 12:00:00 UTC"));
}

void UiModelsTest::groupCauseNamesUsers()
{
    // A group's evidence counts the users who set it, not devices.
    QCOMPARE(
        likelyCauseLabel(LikelyCause::StaticIdManyDevices, ShardKind::Group),
        QStringLiteral("static group id, many users"));
    QCOMPARE(
        likelyCauseLabel(LikelyCause::StaticIdManyDevices, ShardKind::User),
        QStringLiteral("static id, many devices"));
}

// An id with a right-to-left override can show as another id, and an escape
// sequence in a record or message can hide text. The tables escape both.
void UiModelsTest::inputTextEscaped()
{
    auto report = std::make_shared<Report>(*test::makeSmallReport());
    for (IdVolume &volume : report->ids) {
        if (volume.groupKey == "company")
            volume.groupKey = "comp\u200bany";
        if (volume.id == "alice")
            volume.id = "zed\xe2\x80\xae"
                        "dez";
    }
    report->records.front().distinctId = "bob\x1b[2J";
    report->inputs.front().problems.front().message = "bad\x07line";

    IdTableModel users(ShardKind::User);
    users.setReport(report);
    users.setFilterText(QStringLiteral("zed"));
    QCOMPARE(users.rowCount(), 1);
    QCOMPARE(cell(users, 0, IdTableModel::IdColumn),
             QStringLiteral(R"(zed\u202edez)"));

    IdTableModel groups(ShardKind::Group);
    groups.setReport(report);
    QCOMPARE(cell(groups, 0, IdTableModel::GroupKeyColumn),
             QStringLiteral(R"(comp\u200bany)"));

    // The escaped text the table shows finds the id too, since the
    // override itself cannot be typed.
    users.setFilterText(QStringLiteral(R"(d\u202ed)"));
    QCOMPARE(users.rowCount(), 1);
    DayPage days;
    days.setReport(report);
    QVERIFY(days.showId(QStringLiteral(R"(zed\u202edez)")));
    QVERIFY(days.showId(QString::fromUtf8("zed\u202edez")));
    QVERIFY(!days.showId(QStringLiteral("zeddez")));

    RecordTableModel records;
    records.setReport(report);
    records.setKindFilter(RecordTableModel::KindFilter::User);
    QCOMPARE(cell(records, 0, RecordTableModel::IdColumn),
             QStringLiteral(R"(bob\x1b[2J)"));

    ProblemTableModel problems;
    problems.setReport(*report);
    QCOMPARE(cell(problems, 0, ProblemTableModel::MessageColumn),
             QStringLiteral(R"(bad\x07line)"));
}

QTEST_MAIN(UiModelsTest)
#include "tst_ui_models.moc"
