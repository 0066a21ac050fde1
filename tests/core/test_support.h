#pragma once

// Helpers shared by the core suites: fixture files in a temporary folder,
// gzip members written with zlib, event lines and report look-ups.

#include "hsi/civil_date.h"
#include "hsi/report.h"
#include "hsi/scanner.h"

#include <QTemporaryDir>
#include <QTest>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>
#include <zlib.h>

namespace hsi::test {

/// Seconds since the epoch of a UTC wall-clock time.
inline std::int64_t utcSeconds(int year, unsigned month, unsigned day,
                               int hour = 12, int minute = 0, int second = 0)
{
    return std::int64_t{daysFromCivil(year, month, day)} * 86400 + hour * 3600 +
           minute * 60 + second;
}

/// One Raw Event Export line. `id` and `time` are JSON text written as they
/// are, so tests can pass numbers, strings, null or objects. An empty `id`
/// leaves distinct_id out. `extra` is appended inside `properties`.
inline std::string eventLine(const std::string &name, const std::string &id,
                             const std::string &time,
                             const std::string &extra = {})
{
    std::string line = "{\"event\":\"" + name + "\",\"properties\":{";
    line += "\"time\":" + time;
    if (!id.empty())
        line += ",\"distinct_id\":" + id;
    if (!extra.empty())
        line += "," + extra;
    line += "}}";
    return line;
}

/// `count` lines of one event for `id` at `time`, each with its own
/// $insert_id so that none is a duplicate.
inline std::string repeatedLines(const std::string &id, std::int64_t time,
                                 int count, const std::string &extra = {})
{
    std::string text;
    for (int i = 0; i < count; ++i) {
        std::string properties = "\"$insert_id\":\"" + id + "-" +
                                 std::to_string(time) + "-" +
                                 std::to_string(i) + "\"";
        if (!extra.empty())
            properties += "," + extra;
        text += eventLine("Page View", "\"" + id + "\"", std::to_string(time),
                          properties) +
                "\n";
    }
    return text;
}

/// Compresses `text` as one complete gzip member; level 0 stores it.
inline std::string gzipMember(const std::string &text,
                              int level = Z_DEFAULT_COMPRESSION)
{
    z_stream stream{};
    // windowBits 15 + 16 selects the gzip wrapper.
    if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out(deflateBound(&stream, text.size()) + 32, '\0');
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(text.data()));
    stream.avail_in = static_cast<uInt>(text.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int result = deflate(&stream, Z_FINISH);
    deflateEnd(&stream);
    if (result != Z_STREAM_END)
        throw std::runtime_error("deflate did not finish the gzip member");
    out.resize(stream.total_out);
    return out;
}

/// A temporary folder for the fixture files of one test.
class FixtureDir {
public:
    FixtureDir() { QVERIFY(m_dir.isValid()); }

    std::string path(const std::string &name) const
    {
        return m_dir.filePath(QString::fromStdString(name)).toStdString();
    }

    /// Writes `bytes` to `name` and returns the full path.
    std::string write(const std::string &name, const std::string &bytes) const
    {
        const std::string full = path(name);
        std::ofstream stream(full, std::ios::binary | std::ios::trunc);
        stream << bytes;
        if (!stream)
            throw std::runtime_error("cannot write fixture " + full);
        return full;
    }

    std::string folder() const { return m_dir.path().toStdString(); }

private:
    QTemporaryDir m_dir;
};

/// Scans with one thread, or with two threads and byte ranges of
/// `chunkBytes` when it is non-zero.
inline Report scanPaths(const std::vector<std::string> &paths,
                        ScanSettings settings = {}, std::int64_t chunkBytes = 0)
{
    settings.threads = chunkBytes > 0 ? 2 : 1;
    settings.chunkBytes = chunkBytes;
    return scan(paths, settings);
}

/// The hot or near-limit finding for an id and date, or nullptr.
inline const PairFinding *findPair(const std::vector<PairFinding> &findings,
                                   const std::string &id,
                                   const std::string &date,
                                   const std::string &groupKey = {})
{
    for (const PairFinding &finding : findings) {
        const ShardKind kind =
            groupKey.empty() ? ShardKind::User : ShardKind::Group;
        if (finding.kind == kind && finding.groupKey == groupKey &&
            finding.id == id && formatDay(finding.day) == date)
            return &finding;
    }
    return nullptr;
}

/// The id volume of a user id (or a group id under `groupKey`), or nullptr.
inline const IdVolume *findId(const Report &report, const std::string &id,
                              const std::string &groupKey = {})
{
    for (const IdVolume &volume : report.ids) {
        if (volume.id == id && volume.groupKey == groupKey)
            return &volume;
    }
    return nullptr;
}

/// Events of an id on a date, from `Report::idDays`, or 0 when absent.
inline std::int64_t idEventsOn(const Report &report, const std::string &id,
                               const std::string &date,
                               const std::string &groupKey = {})
{
    const IdVolume *volume = findId(report, id, groupKey);
    if (!volume)
        return 0;
    for (std::uint32_t i = 0; i < volume->dayCount; ++i) {
        const DayCount &count = report.idDays[volume->firstDay + i];
        if (formatDay(count.day) == date)
            return count.events;
    }
    return 0;
}

/// Events of the whole scan on a date, or 0 when absent.
inline std::int64_t dayEvents(const Report &report, const std::string &date)
{
    for (const DayTotal &day : report.days) {
        if (formatDay(day.day) == date)
            return day.events;
    }
    return 0;
}

} // namespace hsi::test
