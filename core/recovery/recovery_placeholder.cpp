// Placeholder until the recovery sources land.
namespace hsi::recovery {
int placeholder() { return 0; }
} // namespace hsi::recovery
