#include "hsi/recovery/id_map.h"
#include "hsi/recovery/recovery_error.h"

#include <QTemporaryDir>
#include <QTest>
#include <fstream>

using hsi::recovery::RecoveryError;

class TestIdMap : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void load();
    void quotedFields();
    void errors_data();
    void errors();
    void missingFile();

private:
    std::string write(const char *name, const std::string &text)
    {
        const std::string path =
            m_dir.filePath(QString::fromLatin1(name)).toStdString();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    QTemporaryDir m_dir;
};

void TestIdMap::load()
{
    const std::string path = write(
        "ok.csv",
        "\xEF\xBB\xBForiginal_id,new_id\r\ndev-1,user-1\r\n\r\n42,user-42\n");
    const hsi::recovery::IdMap map = hsi::recovery::loadIdMap(path);
    QCOMPARE(map.size(), std::size_t(2));
    QCOMPARE(map.at("dev-1"), std::string("user-1"));
    QCOMPARE(map.at("42"), std::string("user-42"));
}

void TestIdMap::quotedFields()
{
    const std::string path =
        write("quoted.csv", "original_id,new_id\n\"a,b\",\"say \"\"hi\"\"\"\n");
    const hsi::recovery::IdMap map = hsi::recovery::loadIdMap(path);
    QCOMPARE(map.size(), std::size_t(1));
    QCOMPARE(map.at("a,b"), std::string("say \"hi\""));
}

void TestIdMap::errors_data()
{
    QTest::addColumn<QByteArray>("text");
    // The error must name the file and this line and contain `message`.
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");

    QTest::addRow("bad header")
        << QByteArray("id,user\na,b\n") << 1 << "invalid header";
    QTest::addRow("one column header")
        << QByteArray("original_id\na\n") << 1 << "invalid header";
    QTest::addRow("empty file") << QByteArray("") << 1 << "empty map file";
    QTest::addRow("duplicate key")
        << QByteArray("original_id,new_id\na,b\nc,d\na,e\n") << 4
        << "duplicate original_id 'a', first given on line 2";
    QTest::addRow("three fields") << QByteArray("original_id,new_id\na,b,c\n")
                                  << 2 << "expected two fields";
    QTest::addRow("one field")
        << QByteArray("original_id,new_id\nx\n") << 2 << "expected two fields";
    QTest::addRow("empty new id")
        << QByteArray("original_id,new_id\na,\n") << 2 << "empty id";
    QTest::addRow("open quote") << QByteArray("original_id,new_id\n\"a,b\n")
                                << 2 << "expected two fields";
}

void TestIdMap::errors()
{
    QFETCH(QByteArray, text);
    QFETCH(int, line);
    QFETCH(QString, message);

    const std::string path = write("bad.csv", text.toStdString());
    try {
        hsi::recovery::loadIdMap(path);
        QFAIL("no error for an invalid map");
    } catch (const RecoveryError &error) {
        const QString errorText = QString::fromStdString(error.what());
        QVERIFY2(errorText.startsWith(QString::fromStdString(path) +
                                      QLatin1Char(':') + QString::number(line) +
                                      QLatin1Char(':')),
                 qPrintable(errorText));
        QVERIFY2(errorText.contains(message), qPrintable(errorText));
    }
}

void TestIdMap::missingFile()
{
    const std::string path =
        m_dir.filePath(QStringLiteral("absent.csv")).toStdString();
    try {
        hsi::recovery::loadIdMap(path);
        QFAIL("no error for a missing map");
    } catch (const RecoveryError &error) {
        const QString errorText = QString::fromStdString(error.what());
        QVERIFY2(errorText.startsWith(QString::fromStdString(path)),
                 qPrintable(errorText));
        QVERIFY2(errorText.contains(QLatin1String("not found")),
                 qPrintable(errorText));
    }
}

QTEST_GUILESS_MAIN(TestIdMap)
#include "tst_id_map.moc"
