// Whether ops record the graph. Per thread, so each worker_thread has its own mode.
#pragma once

namespace tg {

struct GradMode {
  static bool enabled();
  static void set(bool on);
};

// Sets grad mode for a C++ scope and restores it after (also on throw).
struct GradModeGuard {
  explicit GradModeGuard(bool on) : prev_(GradMode::enabled()) { GradMode::set(on); }
  ~GradModeGuard() { GradMode::set(prev_); }
  bool prev_;
};

// Anomaly detection (torch.autograd.set_detect_anomaly): when on, ops get the JS stack of
// their forward call (Node::trace), backward checks every node's outputs for NaN, and errors
// raised while a node runs name the node and show that stack. Process-wide, as in PyTorch.
struct AnomalyMode {
  static bool enabled();
  static void set(bool on);
};

}  // namespace tg
