#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hsi::recovery {

/// One hot group: the group key property and the group id.
struct GroupTarget {
    std::string key;
    std::string id;

    bool operator==(const GroupTarget &) const = default;
};

/// Escapes `\` and `"` so that `text` can sit inside a double-quoted string
/// literal of Mixpanel's segmentation-expression language.
std::string escapeSelectorString(const std::string &text);

/// Builds the condition that matches events whose property `target.key` is
/// the string `target.id` or a list containing it:
///
///     ((defined(properties["K"])) AND ((any(X, properties["K"], X == "V"))
///      OR (string(properties["K"], "undefined") == "V")))
///
/// Throws RecoveryError when the key or the id is empty or contains a control
/// character, because the selector grammar documents no escape for those.
std::string buildGroupCondition(const GroupTarget &target);

/// Builds the export and deletion selector
/// `(G1 OR G2 ...) AND (number(properties["mp_processing_time_ms"]) < T)`.
/// The outer parentheses are always written, so that the time bound applies
/// to every group whatever precedence the server gives AND and OR. Repeated
/// targets are written once. Throws RecoveryError when `targets` is empty or
/// a target is invalid (see buildGroupCondition()).
std::string buildGroupSelector(const std::vector<GroupTarget> &targets,
                               std::int64_t processedBeforeMs);

/// Parses `KEY=ID`, split at the first `=`, so a key cannot contain `=` but
/// an id can. Throws RecoveryError naming the text when either side is empty.
GroupTarget parseGroupTarget(const std::string &text);

} // namespace hsi::recovery
