#pragma once

#include <string>
#include <unordered_map>

namespace hsi::recovery {

/// Original distinct_id to replacement distinct_id, read from a CSV file.
using IdMap = std::unordered_map<std::string, std::string>;

/// Reads a two-column CSV file whose first line is the header
/// `original_id,new_id`. Fields may be quoted with `"` (RFC 4180, with `""`
/// for a quote inside a field), but a field cannot span lines. Blank lines
/// are skipped. Throws RecoveryError naming the file and line when the file
/// is missing, the header differs, a line does not have two fields, a field
/// is empty, or an original id appears twice.
IdMap loadIdMap(const std::string &path);

} // namespace hsi::recovery
