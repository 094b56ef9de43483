#include "grad_mode.h"

namespace tg {

namespace {
thread_local bool t_grad_enabled = true;
bool g_anomaly_enabled = false;
}

bool GradMode::enabled() { return t_grad_enabled; }
void GradMode::set(bool on) { t_grad_enabled = on; }
bool AnomalyMode::enabled() { return g_anomaly_enabled; }
void AnomalyMode::set(bool on) { g_anomaly_enabled = on; }

}  // namespace tg
