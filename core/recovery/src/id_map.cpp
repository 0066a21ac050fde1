#include "hsi/recovery/id_map.h"

#include "hsi/recovery/recovery_error.h"

#include <fstream>
#include <optional>
#include <vector>

namespace hsi::recovery {

namespace {

std::string locate(const std::string &path, std::int64_t line)
{
    return path + ":" + std::to_string(line);
}

/// Splits one CSV line into fields. Returns nothing when a quoted field is
/// not closed or text follows a closing quote.
std::optional<std::vector<std::string>> splitCsvLine(const std::string &line)
{
    std::vector<std::string> fields(1);
    std::size_t pos = 0;
    bool atFieldStart = true;
    while (pos < line.size()) {
        const char c = line[pos];
        if (atFieldStart && c == '"') {
            ++pos;
            for (;;) {
                if (pos >= line.size())
                    return std::nullopt;
                if (line[pos] == '"' && pos + 1 < line.size() &&
                    line[pos + 1] == '"') {
                    fields.back() += '"';
                    pos += 2;
                } else if (line[pos] == '"') {
                    ++pos;
                    break;
                } else {
                    fields.back() += line[pos++];
                }
            }
            if (pos < line.size() && line[pos] != ',')
                return std::nullopt;
            atFieldStart = false;
            continue;
        }
        if (c == ',') {
            fields.emplace_back();
            atFieldStart = true;
        } else {
            fields.back() += c;
            atFieldStart = false;
        }
        ++pos;
    }
    return fields;
}

std::string trimmed(std::string text)
{
    const auto isSpace = [](char c) {
        return c == ' ' || c == '\t';
    };
    while (!text.empty() && isSpace(text.back()))
        text.pop_back();
    std::size_t start = 0;
    while (start < text.size() && isSpace(text[start]))
        ++start;
    return text.substr(start);
}

void checkHeader(const std::string &path, std::string header)
{
    if (header.rfind("\xEF\xBB\xBF", 0) == 0)
        header.erase(0, 3);
    const auto fields = splitCsvLine(header);
    if (!fields || fields->size() != 2 ||
        trimmed((*fields)[0]) != "original_id" ||
        trimmed((*fields)[1]) != "new_id") {
        throw RecoveryError(locate(path, 1) + ": invalid header '" + header +
                            "': the first line must be 'original_id,new_id'");
    }
}

} // namespace

IdMap loadIdMap(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw RecoveryError(path +
                            ": map file not found or not readable: "
                            "check the path given to --distinct-id map:");

    std::string text;
    std::int64_t lineNumber = 0;
    IdMap map;
    std::unordered_map<std::string, std::int64_t> firstLine;
    while (std::getline(in, text)) {
        ++lineNumber;
        if (!text.empty() && text.back() == '\r')
            text.pop_back();
        if (lineNumber == 1) {
            checkHeader(path, text);
            continue;
        }
        if (trimmed(text).empty())
            continue;
        const auto fields = splitCsvLine(text);
        if (!fields || fields->size() != 2) {
            throw RecoveryError(locate(path, lineNumber) + ": invalid line '" +
                                text +
                                "': expected two fields, original_id "
                                "and new_id");
        }
        if ((*fields)[0].empty() || (*fields)[1].empty()) {
            throw RecoveryError(locate(path, lineNumber) + ": empty id in '" +
                                text + "': both fields need a value");
        }
        const auto [it, inserted] = firstLine.emplace((*fields)[0], lineNumber);
        if (!inserted) {
            throw RecoveryError(
                locate(path, lineNumber) + ": duplicate original_id '" +
                (*fields)[0] + "', first given on line " +
                std::to_string(it->second) + ": keep one mapping per id");
        }
        map.emplace((*fields)[0], (*fields)[1]);
    }
    if (lineNumber == 0)
        throw RecoveryError(locate(path, 1) +
                            ": empty map file: the first "
                            "line must be 'original_id,new_id'");
    return map;
}

} // namespace hsi::recovery
