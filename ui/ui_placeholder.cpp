// Placeholder until the GUI sources land.
namespace hsi::ui {
int placeholder() { return 0; }
} // namespace hsi::ui
