#include "hsi/recovery/file_transform.h"

#include "hsi/json_grammar.h"
#include "hsi/record_reader.h"
#include "hsi/recovery/recovery_error.h"
#include "hsi/scanner.h"
#include "logging.h"
#include "output_file.h"

#include <QByteArray>
#include <filesystem>
#include <sys/stat.h>

namespace hsi::recovery {

using Json = nlohmann::ordered_json;

namespace {

/// Returns `text` as a JSON string, or nothing when it is not valid UTF-8.
std::optional<std::string> jsonStringOf(std::string_view text)
{
    try {
        return Json(std::string(text)).dump();
    } catch (const Json::type_error &) {
        return std::nullopt;
    }
}

/// Builds one rejects line. A parsed event is embedded as its original text,
/// so it keeps every byte. Other records are embedded as a string.
std::string rejectLine(const EventOutcome &outcome, const std::string &path,
                       std::int64_t line, std::string_view text, bool parsed)
{
    std::string result =
        "{\"reason\":" + Json(setAsideReasonName(outcome.reason)).dump() +
        ",\"detail\":" +
        Json(outcome.detail)
            .dump(-1, ' ', false, Json::error_handler_t::replace) +
        ",\"file\":" +
        Json(path).dump(-1, ' ', false, Json::error_handler_t::replace) +
        ",\"line\":" + std::to_string(line);
    if (parsed) {
        result += ",\"event\":";
        result += text;
    } else if (const auto asString = jsonStringOf(text)) {
        result += ",\"raw\":" + *asString;
    } else {
        const QByteArray bytes(text.data(), qsizetype(text.size()));
        result += ",\"raw_base64\":\"" + bytes.toBase64().toStdString() + "\"";
    }
    return result + "}";
}

/// Finds number literals that dump() cannot reproduce: floats written with
/// other digits (1.50, 1e3) and integers beyond 64 bits, which nlohmann/json
/// stores as double.
class ReformattedNumberFinder : public nlohmann::json_sax<Json> {
public:
    bool found = false;

    bool number_float(number_float_t value, const string_t &text) override
    {
        if (!found && Json(value).dump() != text)
            found = true;
        return true;
    }
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool string(string_t &) override { return true; }
    bool binary(binary_t &) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t &) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string &,
                     const nlohmann::detail::exception &) override
    {
        return false;
    }
};

bool hasReformattedNumber(std::string_view text)
{
    ReformattedNumberFinder finder;
    Json::sax_parse(text.begin(), text.end(), &finder);
    return finder.found;
}

class TransformRun {
public:
    TransformRun(const TransformPaths &paths, EventTransformer &transformer)
        : m_transformer(transformer), m_output(paths.output),
          m_rejects(rejectsPathFor(paths))
    {
    }

    void processRecord(const std::string &path, std::string_view text,
                       std::int64_t line);
    void commit()
    {
        m_output.commit();
        m_rejects.commit();
    }

    TransformStats stats;

private:
    void setAside(const EventOutcome &outcome, const std::string &path,
                  std::int64_t line, std::string_view text, bool parsed);
    void count(const EventOutcome &outcome);

    EventTransformer &m_transformer;
    detail::OutputFile m_output;
    detail::OutputFile m_rejects;
};

void TransformRun::processRecord(const std::string &path, std::string_view text,
                                 std::int64_t line)
{
    ++stats.read;
    Json event;
    try {
        event = parseEvent(text);
    } catch (const Json::exception &error) {
        EventOutcome outcome;
        outcome.kind = EventOutcome::Kind::SetAside;
        outcome.reason = SetAsideReason::InvalidJson;
        // The scan's words for the fault, rather than the parser's own.
        const std::string reason = jsonGrammarError(text);
        outcome.detail = reason.empty() ? error.what() : reason;
        setAside(outcome, path, line, text, false);
        return;
    }

    const EventOutcome outcome = m_transformer.transform(event);
    switch (outcome.kind) {
    case EventOutcome::Kind::SetAside:
        setAside(outcome, path, line, text, true);
        return;
    case EventOutcome::Kind::PassedThrough:
        m_output.writeLine(text);
        break;
    case EventOutcome::Kind::Restored:
    case EventOutcome::Kind::Modified:
        // NOTE: dump() writes every number in its shortest form, so a
        // changed event can show 1.5 for 1.50. The summary counts them.
        m_output.writeLine(event.dump());
        stats.numbersReformatted += hasReformattedNumber(text);
        break;
    }
    count(outcome);
}

void TransformRun::setAside(const EventOutcome &outcome,
                            const std::string &path, std::int64_t line,
                            std::string_view text, bool parsed)
{
    ++stats.setAside;
    ++stats.setAsideByReason[setAsideReasonName(outcome.reason)];
    m_rejects.writeLine(rejectLine(outcome, path, line, text, parsed));
    qCDebug(lcRecovery) << "set aside" << path.c_str() << "line" << line
                        << setAsideReasonName(outcome.reason);
}

void TransformRun::count(const EventOutcome &outcome)
{
    switch (outcome.kind) {
    case EventOutcome::Kind::Restored:
        ++stats.restored;
        break;
    case EventOutcome::Kind::Modified:
        ++stats.modified;
        break;
    default:
        ++stats.passedThrough;
        break;
    }
    stats.idsRestored += outcome.idRestored;
    stats.rejectedIdsRestored += outcome.restoredIdRejected;
    stats.groupBlanked += outcome.groupBlanked;
    stats.insertIdsRegenerated += outcome.insertIdRegenerated;
    stats.invalidInsertIds += outcome.insertIdInvalid;
    stats.rejectedDistinctIds += outcome.distinctIdRejected;
    stats.timesConverted += outcome.timeConverted;
}

void checkInputRead(const std::string &path, const ReadResult &result,
                    const std::atomic<bool> *cancel)
{
    if (result.cancelled || (cancel && *cancel))
        throw RecoveryError("transform cancelled while reading " + path +
                            ": no output was written");
    if (!result.error.empty()) {
        // The line named is the last one read, as the scan names it. A
        // file that stops before its first line names none.
        const std::string where =
            result.lines == 0 ? path
                              : path + ":" + std::to_string(result.lines);
        throw RecoveryError(where + ": " + result.error +
                            ". No output was written: fix or download the "
                            "file again and run again.");
    }
}

std::string canonicalPath(const std::string &path)
{
    // weakly_canonical() leaves a relative path whose first part does not
    // exist relative, so y.ndjson and ./y.ndjson would differ without
    // absolute() first.
    std::error_code error;
    const std::filesystem::path absolute =
        std::filesystem::absolute(path, error);
    if (error)
        return path;
    const std::filesystem::path canonical =
        std::filesystem::weakly_canonical(absolute, error);
    return error ? path : canonical.string();
}

std::int64_t fileSize(const std::string &path)
{
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    return error ? 0 : static_cast<std::int64_t>(size);
}

std::int64_t totalSize(const std::vector<std::string> &paths)
{
    std::int64_t total = 0;
    for (const std::string &path : paths)
        total += fileSize(path);
    return total;
}

/// Returns whether two paths name the same file: the same path once links
/// and dots are resolved, or, for files that exist, the same device and
/// inode, which also matches hard links.
bool sameFile(const std::string &first, const std::string &second)
{
    if (canonicalPath(first) == canonicalPath(second))
        return true;
    const std::optional<FileIdentity> identity = fileIdentity(first);
    return identity && identity == fileIdentity(second);
}

/// Returns what kind of file `path` is when it exists and is not a regular
/// file, or nullptr.
const char *nonRegularKind(const std::string &path)
{
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || S_ISREG(info.st_mode))
        return nullptr;
    if (S_ISDIR(info.st_mode))
        return "a folder";
    if (S_ISFIFO(info.st_mode))
        return "a pipe";
    if (S_ISSOCK(info.st_mode))
        return "a socket";
    return "a device";
}

/// Rejects an output path that is not a regular file. An output is written
/// beside its name and renamed over it when complete, which would replace a
/// device node or a pipe with a regular file, and a stream cannot be
/// withdrawn when a later input fails.
void checkOutputIsFile(const std::string &path, const char *option)
{
    if (const char *kind = nonRegularKind(path))
        throw RecoveryError(
            std::string(option) + " " + path + " is " + kind +
            ", not a regular file: fix writes each output to a file and "
            "renames it into place once every event is written. Name a "
            "file, such as fixed.ndjson.gz, and copy it from there.");
}

/// Rejects an output named also as the other output, or as a file that is
/// not a regular file.
void checkOutputs(const TransformPaths &paths)
{
    const std::string rejects = rejectsPathFor(paths);
    checkOutputIsFile(paths.output, "--out");
    checkOutputIsFile(rejects, "--rejects");
    if (sameFile(paths.output, rejects))
        throw RecoveryError("--rejects " + rejects +
                            " is the same file as --out " + paths.output +
                            ": both would be written to one file. Name "
                            "another rejects file, or drop --rejects to use " +
                            paths.output + ".rejects.ndjson.");
    if (paths.summary.empty())
        return;
    if (std::filesystem::is_directory(paths.summary))
        throw RecoveryError("the summary file " + paths.summary +
                            " is a folder: name a file in it, such as " +
                            paths.summary + "/summary.json.");
    for (const std::string &output : {paths.output, rejects}) {
        if (sameFile(paths.summary, output))
            throw RecoveryError("the summary file " + paths.summary +
                                " is the same file as the output " + output +
                                ", which it would overwrite: name another "
                                "summary file.");
    }
}

/// Rejects an input that is also an output.
void checkInputsDistinct(const std::vector<std::string> &inputs,
                         const TransformPaths &paths)
{
    const std::string rejects = rejectsPathFor(paths);
    for (const std::string &input : inputs) {
        if (sameFile(input, paths.output) || sameFile(input, rejects) ||
            (!paths.summary.empty() && sameFile(input, paths.summary)))
            throw RecoveryError(input + " is both an input and an output: "
                                        "write the output elsewhere");
    }
}

/// Lists the input files as the scan does, and rejects a folder that cannot
/// be listed and inputs that leave no export file to read.
InputListing listTransformInputs(const std::vector<std::string> &paths)
{
    InputListing listing = listInputFiles(paths);
    if (const std::string error = inputListingError(listing); !error.empty())
        throw RecoveryError(error);
    return listing;
}

} // namespace

Json transformStatsToJson(const TransformStats &stats)
{
    Json json;
    json["read"] = stats.read;
    json["written"] = stats.written();
    json["restored"] = stats.restored;
    json["modified"] = stats.modified;
    json["passed_through"] = stats.passedThrough;
    json["set_aside"] = stats.setAside;
    json["set_aside_by_reason"] = stats.setAsideByReason;
    json["ids_restored"] = stats.idsRestored;
    json["rejected_ids_restored"] = stats.rejectedIdsRestored;
    json["group_blanked"] = stats.groupBlanked;
    json["insert_ids_regenerated"] = stats.insertIdsRegenerated;
    json["invalid_insert_ids"] = stats.invalidInsertIds;
    json["rejected_distinct_ids"] = stats.rejectedDistinctIds;
    json["times_converted"] = stats.timesConverted;
    json["numbers_reformatted"] = stats.numbersReformatted;
    return json;
}

std::string rejectsPathFor(const TransformPaths &paths)
{
    return paths.rejects.empty() ? paths.output + ".rejects.ndjson"
                                 : paths.rejects;
}

InputListing checkTransformPaths(const TransformPaths &paths)
{
    checkOutputs(paths);
    InputListing listing = listTransformInputs(paths.inputs);
    checkInputsDistinct(listing.files, paths);
    return listing;
}

TransformStats transformFiles(const TransformPaths &paths,
                              EventTransformer &transformer,
                              const std::atomic<bool> *cancel,
                              const TransformProgress &progress)
{
    if (paths.inputs.empty())
        throw RecoveryError("no input: name at least one export file");
    const std::vector<std::string> inputs = checkTransformPaths(paths).files;

    TransformRun run(paths, transformer);
    TransformProgressState state;
    state.bytesTotal = totalSize(inputs);
    for (const std::string &input : inputs) {
        qCDebug(lcRecovery) << "transforming" << input.c_str();
        const std::int64_t before = run.stats.read;
        const std::int64_t bytesBefore = state.bytesDone;
        const auto onBytes = [&](std::int64_t fileBytesDone) {
            state.eventsRead = run.stats.read;
            state.bytesDone = bytesBefore + fileBytesDone;
            if (progress)
                progress(state);
        };
        const ReadResult result = readRecords(
            input,
            [&](std::string_view text, std::int64_t line) {
                run.processRecord(input, text, line);
            },
            cancel, onBytes);
        checkInputRead(input, result, cancel);
        state.bytesDone = bytesBefore + fileSize(input);
        if (run.stats.read - before != result.records)
            throw RecoveryError(input + ": the reader reported " +
                                std::to_string(result.records) +
                                " records but the transform received " +
                                std::to_string(run.stats.read - before));
    }

    const TransformStats &stats = run.stats;
    if (stats.read != stats.written() + stats.setAside) {
        throw RecoveryError(
            "internal error, event counts do not add up: read " +
            std::to_string(stats.read) + ", written " +
            std::to_string(stats.written()) + ", set aside " +
            std::to_string(stats.setAside));
    }
    run.commit();
    qCDebug(lcRecovery) << "transform wrote" << stats.written()
                        << "events and set aside" << stats.setAside;
    return stats;
}

} // namespace hsi::recovery
