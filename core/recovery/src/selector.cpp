#include "hsi/recovery/selector.h"

#include "hsi/recovery/recovery_error.h"

#include <algorithm>

namespace hsi::recovery {

namespace {

void checkSelectorText(const std::string &text, const char *field)
{
    if (text.empty())
        throw RecoveryError(std::string("empty group ") + field +
                            ": a selector needs a non-empty key and id");
    const auto isControl = [](unsigned char c) {
        return c < 0x20 || c == 0x7f;
    };
    if (std::any_of(text.begin(), text.end(), isControl)) {
        throw RecoveryError(std::string("group ") + field + " '" + text +
                            "' contains a control character, which the "
                            "selector language cannot escape");
    }
}

std::string propertyRef(const std::string &key)
{
    std::string reference = "properties[\"";
    reference += escapeSelectorString(key);
    reference += "\"]";
    return reference;
}

} // namespace

std::string escapeSelectorString(const std::string &text)
{
    std::string escaped;
    escaped.reserve(text.size() + 2);
    for (const char c : text) {
        if (c == '\\' || c == '"')
            escaped += '\\';
        escaped += c;
    }
    return escaped;
}

std::string buildGroupCondition(const GroupTarget &target)
{
    checkSelectorText(target.key, "key");
    checkSelectorText(target.id, "id");
    const std::string property = propertyRef(target.key);
    std::string id = "\"";
    id += escapeSelectorString(target.id);
    id += '"';
    // A group property contains either one id or a list of ids: any() matches
    // the list form and string() the single value. Mixpanel's hot-shard guide
    // uses this pair of branches, but its reference documents neither any()
    // in selectors nor the two-argument string().
    return "((defined(" + property + ")) AND ((any(X, " + property +
           ", X == " + id + ")) OR (string(" + property +
           ", \"undefined\") == " + id + ")))";
}

std::string buildGroupSelector(const std::vector<GroupTarget> &targets,
                               std::int64_t processedBeforeMs)
{
    if (targets.empty())
        throw RecoveryError("no group given: a selector needs at least one "
                            "KEY=ID group");
    std::vector<GroupTarget> unique;
    for (const GroupTarget &target : targets) {
        if (std::find(unique.begin(), unique.end(), target) == unique.end())
            unique.push_back(target);
    }

    std::string groups;
    for (const GroupTarget &target : unique) {
        if (!groups.empty())
            groups += " OR ";
        groups += buildGroupCondition(target);
    }
    return "(" + groups +
           ") AND (number(properties[\"mp_processing_time_ms\"])" + " < " +
           std::to_string(processedBeforeMs) + ")";
}

GroupTarget parseGroupTarget(const std::string &text)
{
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0 ||
        equals + 1 == text.size()) {
        throw RecoveryError("invalid group '" + text +
                            "': use KEY=ID, such as company_id=acme");
    }
    return {text.substr(0, equals), text.substr(equals + 1)};
}

} // namespace hsi::recovery
