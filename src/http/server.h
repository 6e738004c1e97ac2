// Server: the HTTP/1.1 front door (Boost.Beast). Keep-alive connections, one I/O
// thread per core, request size and time limits, and a graceful Stop().
// Each complete request is handed to the Dispatcher; the server knows no GuardDuty.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/dispatcher.h"
#include "http/request_limits.h"

namespace vigil::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8484;  // 0 picks a free port
  size_t threads = 0;    // 0: one per core
  size_t body_limit_bytes = 10 * 1024 * 1024;
  size_t header_limit_bytes = 64 * 1024;
  // Target length, header count and field size, checked once the headers are in.
  RequestLimits request_limits;
  // Connections open at once; one more is answered 503 and closed.
  size_t max_connections = 1024;
  // Requests whose path starts with this prefix may carry up to large_body_limit_bytes
  // (log ingestion); "" = none.
  std::string large_body_path_prefix;
  size_t large_body_limit_bytes = 256 * 1024 * 1024;
  // A connection may wait this long for the first byte of its next request.
  std::chrono::seconds idle_timeout{60};
  // Once a request has begun, its headers must be complete within this (slowloris).
  std::chrono::seconds header_timeout{10};
  // Once the headers are in, the body must arrive (and the response leave) within this.
  std::chrono::seconds body_timeout{30};
};

class Server {
 public:
  // Borrows `dispatcher`, which must outlive the server.
  Server(ServerOptions options, const Dispatcher& dispatcher, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Errors: Internal when the address cannot be bound.
  Status Listen();
  // The bound port (after Listen).
  uint16_t port() const;
  // Serves until Stop(); in-flight requests finish before it returns.
  void Run();
  // Stops accepting, closes idle connections, lets busy ones finish. Thread-safe.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::http
