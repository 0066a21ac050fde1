#include "hsi/report.h"

#include <algorithm>

namespace hsi {

const char *likelyCauseName(LikelyCause cause)
{
    switch (cause) {
    case LikelyCause::StaticIdManyDevices:
        return "static_id_many_devices";
    case LikelyCause::AutomationFewDevices:
        return "automation_few_devices";
    case LikelyCause::ServerSideOneId:
        return "server_side_one_id";
    case LikelyCause::DuplicateStorm:
        return "duplicate_storm";
    case LikelyCause::Unknown:
        break;
    }
    return "unknown";
}

std::int64_t Report::hotUserShards() const
{
    return std::count_if(hotShards.begin(), hotShards.end(), [](const auto &f) {
        return f.kind == ShardKind::User;
    });
}

std::int64_t Report::hotGroupShards() const
{
    return static_cast<std::int64_t>(hotShards.size()) - hotUserShards();
}

bool Report::hasIncompleteInput() const
{
    return std::any_of(inputs.begin(), inputs.end(), [](const auto &input) {
        return input.status != InputReport::Status::Ok;
    });
}

bool Report::noInputRead() const
{
    return std::none_of(inputs.begin(), inputs.end(), [](const auto &input) {
        return input.status != InputReport::Status::Error || input.events > 0;
    });
}

} // namespace hsi
