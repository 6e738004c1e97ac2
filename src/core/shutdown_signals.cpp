#include "core/shutdown_signals.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace vigil {

ShutdownSignals::ShutdownSignals(std::function<void(int)> stop) : stop_(std::move(stop)) {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  watcher_ = std::thread([this] { Watch(); });
}

ShutdownSignals::~ShutdownSignals() {
  finished_ = true;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  pthread_kill(watcher_.native_handle(), SIGTERM);  // wakes sigwait
  watcher_.join();
}

void ShutdownSignals::Watch() {
  bool stopped = false;
  while (true) {
    int signal = 0;
    if (sigwait(&signals_, &signal) != 0) continue;
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (finished_) return;
    if (stopped) {
      spdlog::warn("received signal {} while stopping; still finishing (SIGKILL forces)", signal);
      continue;
    }
    stopped = true;
    spdlog::info("received signal {}, stopping", signal);
    stop_(signal);
  }
}

}  // namespace vigil
