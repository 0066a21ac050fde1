#include "hsi/recovery/insert_id.h"

#include <QCryptographicHash>

namespace hsi::recovery {

namespace {

void addField(QCryptographicHash &hash, std::string_view field)
{
    hash.addData(QByteArrayView(field.data(), qsizetype(field.size())));
    // A separator that cannot appear in JSON text keeps ("ab", "c") and
    // ("a", "bc") apart.
    hash.addData(QByteArrayView("\0", 1));
}

} // namespace

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
