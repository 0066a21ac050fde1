#include "hsi/recovery/recovery_error.h"
#include "hsi/recovery/selector.h"

#include <QTest>

using hsi::recovery::GroupTarget;
using hsi::recovery::RecoveryError;

class TestSelector : public QObject {
    Q_OBJECT

private slots:
    void escape_data();
    void escape();
    void singleGroup();
    void twoGroups();
    void duplicateWrittenOnce();
    void hostileId_data();
    void hostileId();
    void invalidTarget_data();
    void invalidTarget();
    void noGroups();
    void parseTarget();
    void parseTargetInvalid_data();
    void parseTargetInvalid();
};

void TestSelector::escape_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::addRow("plain") << "acme"
                           << "acme";
    QTest::addRow("quote") << "a\"b"
                           << "a\\\"b";
    QTest::addRow("backslash") << "a\\b"
                               << "a\\\\b";
    QTest::addRow("backslash quote") << "\\\""
                                     << "\\\\\\\"";
    QTest::addRow("unicode") << QString::fromUtf8("Zürich 東京 🚀")
                             << QString::fromUtf8("Zürich 東京 🚀");
}

void TestSelector::escape()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(
                 hsi::recovery::escapeSelectorString(text.toStdString())),
             expected);
}

void TestSelector::singleGroup()
{
    const std::string selector = hsi::recovery::buildGroupSelector(
        {{"company_id", "acme"}}, 1700000000000);
    QCOMPARE(
        QString::fromStdString(selector),
        QStringLiteral(
            R"((((defined(properties["company_id"])) AND ((any(X, properties["company_id"], X == "acme")) OR (string(properties["company_id"], "undefined") == "acme")))) AND (number(properties["mp_processing_time_ms"]) < 1700000000000))"));
}

void TestSelector::twoGroups()
{
    const std::string selector = hsi::recovery::buildGroupSelector(
        {{"company_id", "acme"}, {"team", "t1"}}, 5);
    const std::string first =
        hsi::recovery::buildGroupCondition({"company_id", "acme"});
    const std::string second =
        hsi::recovery::buildGroupCondition({"team", "t1"});
    QCOMPARE(selector,
             "(" + first + " OR " + second +
                 ") AND (number(properties[\"mp_processing_time_ms\"]) < 5)");
}

void TestSelector::duplicateWrittenOnce()
{
    const std::string once = hsi::recovery::buildGroupSelector({{"k", "v"}}, 9);
    QCOMPARE(hsi::recovery::buildGroupSelector({{"k", "v"}, {"k", "v"}}, 9),
             once);
}

void TestSelector::hostileId_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("id");
    QTest::addRow("quote") << "company"
                           << "ac\"me";
    QTest::addRow("backslash") << "company"
                               << "ac\\me";
    QTest::addRow("trailing backslash") << "company"
                                        << "acme\\";
    QTest::addRow("injection") << "company"
                               << "\") OR (1==1";
    QTest::addRow("injection in key") << "k\"]) OR (1==1 OR (properties[\"x"
                                      << "v";
    QTest::addRow("unicode")
        << QString::fromUtf8("société") << QString::fromUtf8("Zürich 東京 🚀");
}

/// Scans the selector as the expression lexer would: every string literal
/// must decode back to the key or the id, and outside literals no text from
/// the id may appear.
void TestSelector::hostileId()
{
    QFETCH(QString, key);
    QFETCH(QString, id);
    const std::string selector = hsi::recovery::buildGroupSelector(
        {{key.toStdString(), id.toStdString()}}, 1);

    std::vector<std::string> literals;
    std::string outside;
    for (std::size_t pos = 0; pos < selector.size(); ++pos) {
        if (selector[pos] != '"') {
            outside += selector[pos];
            continue;
        }
        std::string literal;
        for (++pos; pos < selector.size() && selector[pos] != '"'; ++pos) {
            if (selector[pos] == '\\')
                ++pos;
            QVERIFY(pos < selector.size());
            literal += selector[pos];
        }
        QVERIFY2(pos < selector.size(), "unterminated string literal");
        literals.push_back(literal);
    }

    // The key three times, the id twice, "undefined", and the
    // processing-time property.
    QCOMPARE(literals.size(), std::size_t(7));
    QCOMPARE(std::count(literals.begin(), literals.end(), key.toStdString()),
             3);
    QCOMPARE(std::count(literals.begin(), literals.end(), id.toStdString()), 2);
    QCOMPARE(
        outside,
        std::string("(((defined(properties[])) AND ((any(X, properties[], X "
                    "== )) OR (string(properties[], ) == )))) AND "
                    "(number(properties[]) < 1)"));
}

void TestSelector::invalidTarget_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("id");
    QTest::addRow("empty id") << "company"
                              << "";
    QTest::addRow("empty key") << ""
                               << "acme";
    QTest::addRow("newline") << "company"
                             << "a\nb";
    QTest::addRow("nul") << "company" << QString(QChar(0));
}

void TestSelector::invalidTarget()
{
    QFETCH(QString, key);
    QFETCH(QString, id);
    QVERIFY_THROWS_EXCEPTION(RecoveryError,
                             hsi::recovery::buildGroupSelector(
                                 {{key.toStdString(), id.toStdString()}}, 1));
}

void TestSelector::noGroups()
{
    QVERIFY_THROWS_EXCEPTION(RecoveryError,
                             hsi::recovery::buildGroupSelector({}, 1));
}

void TestSelector::parseTarget()
{
    const GroupTarget target =
        hsi::recovery::parseGroupTarget("company_id=a=b");
    QCOMPARE(target.key, std::string("company_id"));
    QCOMPARE(target.id, std::string("a=b"));
}

void TestSelector::parseTargetInvalid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("no equals") << "company";
    QTest::addRow("no key") << "=acme";
    QTest::addRow("no id") << "company=";
}

void TestSelector::parseTargetInvalid()
{
    QFETCH(QString, text);
    QVERIFY_THROWS_EXCEPTION(
        RecoveryError, hsi::recovery::parseGroupTarget(text.toStdString()));
}

QTEST_GUILESS_MAIN(TestSelector)
#include "tst_selector.moc"
