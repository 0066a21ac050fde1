#include "hsi/sample_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <libdeflate.h>
#include <map>
#include <memory>
#include <stdexcept>

namespace hsi {

namespace {

constexpr std::size_t kFlushBytes = 8 << 20;
constexpr int kMinutesPerDay = 1440;

/// splitmix64: small, fast and deterministic on every platform, unlike the
/// distributions of <random>, whose output differs between standard
/// libraries.
class Random {
public:
    explicit Random(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t bound) { return next() % bound; }
    double unit() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
    bool chance(double probability) { return unit() < probability; }

private:
    std::uint64_t m_state;
};

enum class Profile { Uniform, Daytime, Burst };

enum class IdStyle { Fixed, Pool, PoolWithProblems };

/// One stream of events: who sends them, when, and with which properties.
struct Source {
    std::string label;
    IdStyle idStyle = IdStyle::Fixed;
    std::string fixedId;
    std::string poolPrefix;
    std::int64_t poolSize = 1;
    std::int64_t devices = 1;
    std::vector<std::string> libraries;
    std::vector<std::string> eventNames;
    double duplicateShare = 0;
    /// Group property written on each event: "" for none.
    std::string groupKey;
    /// Fixed group id, or "" to pick one of `groupPoolSize` ids.
    std::string groupId;
    std::int64_t groupPoolSize = 0;
    Profile profile = Profile::Daytime;
    int burstStartMinute = 0;
    int burstMinutes = 60;
    /// Events per day, indexed by day offset from the first day.
    std::map<int, std::int64_t> eventsPerDay;
};

struct Scenario {
    Day firstDay = 0;
    int days = 0;
    std::int64_t userLimit = 0;
    std::int64_t groupLimit = 0;
    std::vector<Source> sources;
};

constexpr std::array<const char *, 6> kCities = {
    "San Francisco", "London", "Berlin", "Bengaluru", "Sao Paulo", "Tokyo"};
constexpr std::array<const char *, 6> kCountries = {"US", "GB", "DE",
                                                    "IN", "BR", "JP"};
constexpr std::array<const char *, 4> kPages = {"/", "/pricing", "/dashboard",
                                                "/settings"};

std::int64_t scaled(std::int64_t count, int divisor)
{
    return std::max<std::int64_t>(1, count / std::max(1, divisor));
}

Source longTailSource(std::int64_t users, std::int64_t perDay, int days)
{
    Source source;
    source.label = "long tail";
    source.idStyle = IdStyle::PoolWithProblems;
    source.poolPrefix = "u-";
    source.poolSize = users;
    source.devices = users * 3 / 2;
    source.libraries = {"web", "web", "iphone", "android"};
    source.eventNames = {"Page Viewed", "Page Viewed", "Button Clicked",
                         "Signed In",   "Search",      "Purchase"};
    source.duplicateShare = 0.01;
    source.groupKey = "company";
    source.groupPoolSize = 200;
    for (int day = 0; day < days; ++day)
        source.eventsPerDay[day] = perDay;
    return source;
}

Scenario sampleScenario(int divisor)
{
    Scenario scenario;
    scenario.firstDay = daysFromCivil(2024, 3, 4);
    scenario.days = 7;
    scenario.userLimit = scaled(200'000, divisor);
    scenario.groupLimit = scaled(1'000'000, divisor);
    scenario.sources.push_back(
        longTailSource(scaled(3'000, divisor), scaled(20'000, divisor), 7));

    Source staticId;
    staticId.label = "identify() with a literal";
    staticId.fixedId = "user_id";
    staticId.devices = scaled(2'500, divisor);
    staticId.libraries = {"web", "web", "iphone"};
    staticId.eventNames = {"Page Viewed", "Signed In", "Button Clicked"};
    staticId.duplicateShare = 0.02;
    staticId.eventsPerDay = {{2, scaled(230'000, divisor)},
                             {3, scaled(120'000, divisor)}};
    scenario.sources.push_back(staticId);

    Source groupLiteral;
    groupLiteral.label = "set_group() with a literal";
    groupLiteral.idStyle = IdStyle::Pool;
    groupLiteral.poolPrefix = "cust-";
    groupLiteral.poolSize = scaled(1'500, divisor);
    groupLiteral.devices = scaled(1'800, divisor);
    groupLiteral.libraries = {"android", "iphone"};
    groupLiteral.eventNames = {"Screen Viewed", "Item Added", "Checkout"};
    groupLiteral.duplicateShare = 0.005;
    groupLiteral.groupKey = "company";
    groupLiteral.groupId = "Company";
    groupLiteral.eventsPerDay = {{4, scaled(1'020'000, divisor)}};
    scenario.sources.push_back(groupLiteral);

    Source server;
    server.label = "server-side sync";
    server.fixedId = "backend-sync";
    server.devices = 0;
    server.libraries = {"python"};
    server.eventNames = {"Invoice Synced", "Subscription Renewed"};
    server.profile = Profile::Uniform;
    server.eventsPerDay = {{1, scaled(120'000, divisor)}};
    scenario.sources.push_back(server);

    Source automation;
    automation.label = "test device";
    automation.fixedId = "qa-device-7";
    automation.libraries = {"android"};
    automation.eventNames = {"Screen Viewed", "Button Clicked"};
    automation.profile = Profile::Burst;
    automation.burstStartMinute = 13 * 60;
    automation.burstMinutes = 150;
    automation.eventsPerDay = {{5, scaled(110'000, divisor)}};
    scenario.sources.push_back(automation);

    Source retries;
    retries.label = "retry storm";
    retries.fixedId = "7f3e9c2a-5b1d-4c8e-9a0f-3d2b1c4e5f60";
    retries.devices = 2;
    retries.libraries = {"web"};
    retries.eventNames = {"Page Viewed"};
    retries.duplicateShare = 0.45;
    retries.eventsPerDay = {{6, scaled(72'000, divisor)}};
    scenario.sources.push_back(retries);
    return scenario;
}

Scenario benchmarkScenario(std::int64_t targetBytes)
{
    // About 330 bytes per event in this preset.
    const std::int64_t totalEvents =
        std::max<std::int64_t>(10'000, targetBytes / 330);
    Scenario scenario;
    scenario.firstDay = daysFromCivil(2024, 5, 13);
    scenario.days = 3;
    scenario.userLimit = 200'000;
    scenario.groupLimit = 1'000'000;

    Source hot;
    hot.fixedId = "user_id";
    hot.devices = 4'000;
    hot.libraries = {"web", "iphone"};
    hot.eventNames = {"Page Viewed", "Signed In"};
    hot.eventsPerDay = {{1, std::min<std::int64_t>(260'000, totalEvents / 10)}};

    Source server;
    server.fixedId = "backend-sync";
    server.devices = 0;
    server.libraries = {"python"};
    server.eventNames = {"Invoice Synced"};
    server.profile = Profile::Uniform;
    server.eventsPerDay = {
        {2, std::min<std::int64_t>(150'000, totalEvents / 20)}};

    const std::int64_t tail =
        totalEvents - hot.eventsPerDay[1] - server.eventsPerDay[2];
    // A pool of 1.15 million ids gives just over a million distinct ids in
    // 1 GB.
    scenario.sources.push_back(longTailSource(1'150'000, tail / 3, 3));
    scenario.sources.push_back(hot);
    scenario.sources.push_back(server);
    return scenario;
}

/// Splits `count` events over the minutes of a day by the source's profile;
/// the parts always add up to `count` exactly.
std::vector<std::int64_t> minuteCounts(const Source &source, std::int64_t count)
{
    std::vector<double> weight(kMinutesPerDay, 1.0);
    for (int minute = 0; minute < kMinutesPerDay; ++minute) {
        if (source.profile == Profile::Daytime) {
            const double hour = minute / 60.0;
            weight[minute] = 0.15 + std::exp(-std::pow((hour - 14.0) / 4.0, 2));
        } else if (source.profile == Profile::Burst) {
            const int offset = minute - source.burstStartMinute;
            weight[minute] =
                offset >= 0 && offset < source.burstMinutes ? 1 : 0;
        }
    }
    double total = 0;
    for (double w : weight)
        total += w;
    std::vector<std::int64_t> counts(kMinutesPerDay);
    double cumulative = 0;
    std::int64_t assigned = 0;
    for (int minute = 0; minute < kMinutesPerDay; ++minute) {
        cumulative += weight[minute];
        const auto upTo = static_cast<std::int64_t>(
            std::floor(static_cast<double>(count) * cumulative / total + 1e-9));
        counts[minute] = std::min(count, upTo) - assigned;
        assigned += counts[minute];
    }
    counts[kMinutesPerDay - 1] += count - assigned;
    return counts;
}

/// Buffers text and writes it plain or as one gzip member per buffer.
class ExportWriter {
public:
    ExportWriter(const std::string &path, bool gzip)
        : m_path(path), m_stream(path, std::ios::binary | std::ios::trunc),
          m_compressor(gzip ? libdeflate_alloc_compressor(6) : nullptr)
    {
        if (!m_stream)
            throw std::runtime_error("cannot write " + path + ": " +
                                     std::strerror(errno));
        m_buffer.reserve(kFlushBytes + (1 << 16));
    }
    ~ExportWriter()
    {
        if (m_compressor)
            libdeflate_free_compressor(m_compressor);
    }
    ExportWriter(const ExportWriter &) = delete;
    ExportWriter &operator=(const ExportWriter &) = delete;

    std::string &buffer() { return m_buffer; }

    /// Writes the buffer out once it is full; call between events.
    void maybeFlush()
    {
        if (m_buffer.size() >= kFlushBytes)
            flush();
    }

    void finish()
    {
        flush();
        m_stream.flush();
        if (!m_stream)
            throw std::runtime_error("cannot write " + m_path + ": " +
                                     std::strerror(errno));
    }

    std::int64_t bytes() const { return m_bytes; }

private:
    void flush()
    {
        if (m_buffer.empty())
            return;
        m_bytes += static_cast<std::int64_t>(m_buffer.size());
        if (!m_compressor) {
            m_stream.write(m_buffer.data(),
                           static_cast<std::streamsize>(m_buffer.size()));
        } else {
            m_compressed.resize(
                libdeflate_gzip_compress_bound(m_compressor, m_buffer.size()));
            const std::size_t size = libdeflate_gzip_compress(
                m_compressor, m_buffer.data(), m_buffer.size(),
                m_compressed.data(), m_compressed.size());
            m_stream.write(m_compressed.data(),
                           static_cast<std::streamsize>(size));
        }
        m_buffer.clear();
    }

    std::string m_path;
    std::ofstream m_stream;
    libdeflate_compressor *m_compressor;
    std::string m_buffer;
    std::vector<char> m_compressed;
    std::int64_t m_bytes = 0;
};

void appendJsonString(std::string &out, std::string_view text)
{
    out.push_back('"');
    for (char c : text) {
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
}

void appendHex(std::string &out, std::uint64_t value, int digits)
{
    static const char kHex[] = "0123456789abcdef";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        out.push_back(kHex[(value >> shift) & 0xf]);
}

/// The identity one event is sent with.
struct EventIdentity {
    enum class Kind { String, Number, Null, Missing } kind = Kind::String;
    std::string id;
    std::string device;
    std::string groupValue;
    bool groupIsList = false;
};

class Generator {
public:
    Generator(Scenario scenario, ExportWriter &writer, std::uint64_t seed)
        : m_scenario(std::move(scenario)), m_writer(writer), m_random(seed)
    {
    }

    GeneratorSummary run()
    {
        m_summary.userLimit = m_scenario.userLimit;
        m_summary.groupLimit = m_scenario.groupLimit;
        for (int day = 0; day < m_scenario.days; ++day)
            writeDay(day);
        m_writer.finish();
        m_summary.bytes = m_writer.bytes();
        for (auto &[key, pair] : m_expected)
            m_summary.pairs.push_back(pair);
        return m_summary;
    }

private:
    void writeDay(int dayOffset)
    {
        m_userCounts.clear();
        m_groupCounts.clear();
        std::vector<std::vector<std::int64_t>> perMinute;
        for (const Source &source : m_scenario.sources) {
            const auto found = source.eventsPerDay.find(dayOffset);
            const std::int64_t count =
                found == source.eventsPerDay.end() ? 0 : found->second;
            perMinute.push_back(minuteCounts(source, count));
        }
        const Day day = m_scenario.firstDay + dayOffset;
        for (int minute = 0; minute < kMinutesPerDay; ++minute) {
            for (std::size_t s = 0; s < m_scenario.sources.size(); ++s) {
                for (std::int64_t n = 0; n < perMinute[s][minute]; ++n)
                    writeEvent(m_scenario.sources[s], day, minute);
            }
        }
    }

    EventIdentity pickIdentity(const Source &source)
    {
        EventIdentity identity;
        std::uint64_t member = 0;
        if (source.idStyle == IdStyle::Fixed) {
            identity.id = source.fixedId;
        } else {
            member =
                m_random.below(static_cast<std::uint64_t>(source.poolSize));
            identity.id = source.poolPrefix + std::to_string(member);
        }
        if (source.idStyle == IdStyle::PoolWithProblems)
            applyIdProblems(identity, member);
        if (source.devices > 0) {
            const std::uint64_t device =
                source.idStyle == IdStyle::Fixed
                    ? m_random.below(static_cast<std::uint64_t>(source.devices))
                    : member * 3 / 2 + m_random.below(2);
            identity.device = "dev-" + std::to_string(device);
        }
        if (!source.groupKey.empty()) {
            if (!source.groupId.empty()) {
                identity.groupValue = source.groupId;
                identity.groupIsList = true;
            } else {
                identity.groupValue =
                    "acme-" +
                    std::to_string(member % static_cast<std::uint64_t>(
                                                source.groupPoolSize));
            }
        }
        return identity;
    }

    // Ordinary traffic carries the id mistakes seen in real projects.
    void applyIdProblems(EventIdentity &identity, std::uint64_t member)
    {
        const double roll = m_random.unit();
        if (roll < 0.005) {
            identity.id = "undefined";
        } else if (roll < 0.006) {
            identity.kind = EventIdentity::Kind::Null;
        } else if (roll < 0.007) {
            identity.kind = EventIdentity::Kind::Missing;
        } else if (roll < 0.017) {
            identity.id.clear();
        } else if (member % 50 == 0) {
            identity.kind = EventIdentity::Kind::Number;
            identity.id = std::to_string(4'611'686'018'427'387'000ULL + member);
        }
    }

    void writeEvent(const Source &source, Day day, int minute)
    {
        const EventIdentity identity = pickIdentity(source);
        const std::string &name =
            source.eventNames[m_random.below(source.eventNames.size())];
        const std::int64_t time = static_cast<std::int64_t>(day) * 86400 +
                                  minute * 60 +
                                  static_cast<std::int64_t>(m_random.below(60));
        std::string insertId;
        appendHex(insertId, m_random.next() >> 32, 8);
        insertId += '-';
        appendHex(insertId, m_random.next() & 0xffff, 4);
        insertId += "-4";
        appendHex(insertId, m_random.next() & 0xfff, 3);
        insertId += '-';
        appendHex(insertId, 0x8000 | (m_random.next() & 0x3fff), 4);
        insertId += '-';
        appendHex(insertId, m_random.next() & 0xffffffffffffULL, 12);
        const std::string &library =
            source.libraries[m_random.below(source.libraries.size())];
        const int copies = m_random.chance(source.duplicateShare) ? 2 : 1;
        for (int copy = 0; copy < copies; ++copy) {
            writeCopy(source, identity, name, time, insertId, library, copy);
            m_writer.maybeFlush();
        }
    }

    void writeCopy(const Source &source, const EventIdentity &identity,
                   const std::string &name, std::int64_t time,
                   const std::string &insertId, const std::string &library,
                   int copy)
    {
        const Day day = dayOfEpochSeconds(time);
        const bool userHot = countUser(source, identity, day, copy);
        const bool groupHot = countGroup(source, identity, day, copy);
        const bool remediated = userHot || groupHot;
        countPoolUser(source, identity, day, copy, remediated);
        std::string &out = m_writer.buffer();
        out += "{\"event\":";
        appendJsonString(out, remediated ? "$hotshard_events" : name);
        out += ",\"properties\":{\"time\":";
        out += std::to_string(time);
        writeIdentity(out, identity, remediated);
        if (remediated) {
            out += ",\"mp_original_event_name\":";
            appendJsonString(out, name);
        }
        if (!identity.device.empty()) {
            out += ",\"$device_id\":";
            appendJsonString(out, identity.device);
        }
        out += ",\"$insert_id\":\"" + insertId + "\",\"mp_lib\":";
        appendJsonString(out, library);
        writeContext(out, library, time, copy);
        if (!identity.groupValue.empty())
            writeGroup(out, source, identity);
        out += "}}\n";
        ++m_summary.events;
        m_summary.remediatedEvents += remediated ? 1 : 0;
        if (userHot && m_userCounts[identity.id] == m_scenario.userLimit + 1)
            writeRecord(time, identity.id, "", "");
        if (groupHot &&
            m_groupCounts[identity.groupValue] == m_scenario.groupLimit + 1)
            writeRecord(time, identity.groupValue, source.groupKey, "Company");
    }

    void writeIdentity(std::string &out, const EventIdentity &identity,
                       bool remediated)
    {
        using Kind = EventIdentity::Kind;
        if (identity.kind == Kind::Missing)
            return;
        out += ",\"distinct_id\":";
        if (remediated) {
            out += "\"\",\"mp_original_distinct_id\":";
        }
        if (identity.kind == Kind::Null)
            out += "null";
        else if (identity.kind == Kind::Number)
            out += identity.id;
        else
            appendJsonString(out, identity.id);
    }

    void writeContext(std::string &out, const std::string &library,
                      std::int64_t time, int copy)
    {
        const std::size_t place = m_random.below(kCities.size());
        if (library == "web") {
            out += ",\"$browser\":\"Chrome\",\"$os\":\"Windows\","
                   "\"$current_url\":\"https://app.example.com";
            out += kPages[m_random.below(kPages.size())];
            out += '"';
        } else if (library != "python") {
            out +=
                library == "iphone"
                    ? ",\"$os\":\"iOS\",\"$app_version_string\":\"5.12.0\""
                    : ",\"$os\":\"Android\",\"$app_version_string\":\"5.12.1\"";
        }
        out += ",\"$city\":\"";
        out += kCities[place];
        out += "\",\"mp_country_code\":\"";
        out += kCountries[place];
        out += "\",\"mp_processing_time_ms\":";
        out += std::to_string(time * 1000 + 1500 + copy * 30'000 +
                              static_cast<std::int64_t>(m_random.below(900)));
    }

    void writeGroup(std::string &out, const Source &source,
                    const EventIdentity &identity)
    {
        out += ",";
        appendJsonString(out, source.groupKey);
        out += ':';
        const bool list = identity.groupIsList || m_random.chance(0.1);
        if (list)
            out += '[';
        appendJsonString(out, identity.groupValue);
        if (list && !identity.groupIsList)
            out += ",\"acme-partner\"";
        if (list)
            out += ']';
    }

    void writeRecord(std::int64_t time, const std::string &id,
                     const std::string &groupKey,
                     const std::string &displayName)
    {
        std::string &out = m_writer.buffer();
        out += "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":";
        out += std::to_string(time);
        out += ",\"distinct_id\":\"\",\"hotshard_distinct_id\":";
        appendJsonString(out, id);
        out += ",\"hotshard_group_key\":";
        appendJsonString(out, groupKey);
        out += ",\"hotshard_group_display_name\":";
        appendJsonString(out, displayName);
        out += ",\"$insert_id\":\"record-";
        out += std::to_string(++m_summary.records);
        out += "\"}}\n";
        ++m_summary.events;
    }

    /// Returns whether this copy is past the user limit.
    bool countUser(const Source &source, const EventIdentity &identity, Day day,
                   int copy)
    {
        if (source.idStyle != IdStyle::Fixed)
            return false;
        const std::int64_t count = ++m_userCounts[identity.id];
        const bool hot = count > m_scenario.userLimit;
        ExpectedPair &pair = expected(ShardKind::User, "", identity.id, day);
        ++pair.events;
        pair.remediatedEvents += hot ? 1 : 0;
        pair.duplicates += copy;
        return hot;
    }

    /// Lists the users of small pools, such as the few customers who send a
    /// whole group's events, because at small scales they come near the
    /// user limit too. The long tail's pool is too large to list and its
    /// users stay far below the limit.
    void countPoolUser(const Source &source, const EventIdentity &identity,
                       Day day, int copy, bool remediated)
    {
        constexpr std::int64_t kMaxListedPool = 20'000;
        if (source.idStyle != IdStyle::Pool || source.poolSize > kMaxListedPool)
            return;
        ExpectedPair &pair = expected(ShardKind::User, "", identity.id, day);
        ++pair.events;
        pair.remediatedEvents += remediated ? 1 : 0;
        pair.duplicates += copy;
    }

    /// Returns whether this copy is past the group limit.
    bool countGroup(const Source &source, const EventIdentity &identity,
                    Day day, int copy)
    {
        if (source.groupId.empty())
            return false;
        const std::int64_t count = ++m_groupCounts[identity.groupValue];
        const bool hot = count > m_scenario.groupLimit;
        ExpectedPair &pair = expected(ShardKind::Group, source.groupKey,
                                      identity.groupValue, day);
        ++pair.events;
        pair.remediatedEvents += hot ? 1 : 0;
        pair.duplicates += copy;
        return hot;
    }

    ExpectedPair &expected(ShardKind kind, const std::string &groupKey,
                           const std::string &id, Day day)
    {
        const std::string key = groupKey + '\0' + id + '\0' + formatDay(day);
        auto [it, inserted] = m_expected.try_emplace(key);
        if (inserted)
            it->second = ExpectedPair{kind, groupKey, id, day, 0, 0, 0};
        return it->second;
    }

    Scenario m_scenario;
    ExportWriter &m_writer;
    Random m_random;
    GeneratorSummary m_summary;
    std::map<std::string, std::int64_t> m_userCounts;
    std::map<std::string, std::int64_t> m_groupCounts;
    std::map<std::string, ExpectedPair> m_expected;
};

} // namespace

GeneratorSummary generateExport(const GeneratorOptions &options,
                                const std::string &path)
{
    Scenario scenario = options.preset == GeneratorPreset::Sample
                            ? sampleScenario(options.scaleDivisor)
                            : benchmarkScenario(options.targetBytes);
    ExportWriter writer(path, options.gzip);
    Generator generator(std::move(scenario), writer, options.seed);
    return generator.run();
}

} // namespace hsi
