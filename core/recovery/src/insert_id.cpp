#include "hsi/recovery/insert_id.h"

#include <QCryptographicHash>
#include <algorithm>
#include <array>

namespace hsi::recovery {

namespace {

/// Values the Import API rejects as distinct_id and as `$insert_id`,
/// compared case-insensitively.
constexpr std::array<std::string_view, 17> kRejectedValues = {
    "00000000-0000-0000-0000-000000000000",
    "anon",
    "anonymous",
    "nil",
    "none",
    "null",
    "n/a",
    "na",
    "undefined",
    "unknown",
    "<nil>",
    "0",
    "-1",
    "true",
    "false",
    "[]",
    "{}"};

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool isIdCharacter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-';
}

void addField(QCryptographicHash &hash, std::string_view field)
{
    hash.addData(QByteArrayView(field.data(), qsizetype(field.size())));
    // A separator that cannot appear in JSON text keeps ("ab", "c") and
    // ("a", "bc") apart.
    hash.addData(QByteArrayView("\0", 1));
}

} // namespace

bool isRejectedIdValue(std::string_view value)
{
    return std::any_of(kRejectedValues.begin(), kRejectedValues.end(),
                       [value](std::string_view rejected) {
                           return equalsIgnoringCase(value, rejected);
                       });
}

bool isValidInsertId(std::string_view insertId)
{
    if (insertId.empty() || insertId.size() > kMaxInsertIdBytes)
        return false;
    if (!std::all_of(insertId.begin(), insertId.end(), isIdCharacter))
        return false;
    return !isRejectedIdValue(insertId);
}

std::string regenerateInsertId(std::string_view eventName,
                               std::string_view distinctIdJson,
                               std::string_view timeJson,
                               std::string_view oldInsertIdJson)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    addField(hash, eventName);
    addField(hash, distinctIdJson);
    addField(hash, timeJson);
    addField(hash, oldInsertIdJson);
    const QByteArray hex = hash.result().toHex().left(32);

    // 8-4-4-4-12 groups: 32 hex digits and 4 hyphens, exactly 36 bytes.
    std::string id = hex.toStdString();
    for (const std::size_t pos : {8u, 13u, 18u, 23u})
        id.insert(pos, 1, '-');
    return id;
}

} // namespace hsi::recovery
