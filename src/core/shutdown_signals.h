// ShutdownSignals: turns SIGINT and SIGTERM into one call of a stop function.
//
// The signals are blocked in every thread and taken by a dedicated thread with
// sigwait(), so no thread can be killed by their default action: the first one calls
// `stop`, later ones are logged and ignored while the process finishes (closing the
// store must not be cut short). Construct it before starting any other thread, so all
// threads inherit the blocked mask.
#pragma once

#include <csignal>
#include <functional>
#include <thread>

namespace vigil {

class ShutdownSignals {
 public:
  explicit ShutdownSignals(std::function<void(int signal)> stop);
  // Ends the watching thread.
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

 private:
  void Watch();

  sigset_t signals_;
  std::function<void(int)> stop_;
  bool finished_ = false;  // written before the wake-up signal, read after sigwait
  std::thread watcher_;
};

}  // namespace vigil
