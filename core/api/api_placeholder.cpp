// Placeholder until the API client sources land.
namespace hsi::api {
int placeholder() { return 0; }
} // namespace hsi::api
