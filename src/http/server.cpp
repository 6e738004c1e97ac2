#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/ids.h"

namespace vigil::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

class Session;

// What every session shares: options, the dispatcher, and the registry used to
// close idle connections on stop.
struct ServerState {
  ServerState(ServerOptions options, const Dispatcher& dispatcher, Metrics& metrics)
      : options(std::move(options)), dispatcher(dispatcher), metrics(metrics) {}

  ServerOptions options;
  const Dispatcher& dispatcher;
  Metrics& metrics;
  std::atomic_bool stopping{false};
  std::mutex sessions_mutex;
  std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> sessions;
};

// One client connection. All its handlers run on its strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerState& state) : stream_(std::move(socket)), state_(state) {
    state_.metrics.ConnectionOpened();
  }
  ~Session() { state_.metrics.ConnectionClosed(); }

  void Start() {
    {
      std::lock_guard lock(state_.sessions_mutex);
      state_.sessions.insert(weak_from_this());
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Called on stop: an idle connection closes now; one that has begun a request
  // closes after answering it.
  void CloseIfIdle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

 private:
  // Waits up to the idle timeout for the first bytes of the next request. A request
  // has begun once they arrive; from then on the header timeout applies.
  void WaitForRequest() {
    if (state_.stopping) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    stream_.expires_after(state_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                              if (ec) return self->Close();  // closed, reset or idle too long
                              self->buffer_.commit(bytes);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    busy_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(state_.options.header_limit_bytes));
    // The larger limit until the path is known; OnHeader lowers it for other paths.
    parser_->body_limit(std::max(state_.options.body_limit_bytes, LargeBodyLimit()));
    stream_.expires_after(state_.options.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {
      return Reject(
          431, Status::InvalidInput("The request headers exceed the limit of " +
                                    std::to_string(state_.options.header_limit_bytes) + " bytes."));
    }
    // Beast checks a declared Content-Length against the body limit with the headers.
    if (ec == bhttp::error::body_limit) return RejectTooLarge();
    if (IsMalformedHttp(ec)) {
      return Reject(
          400, Status::InvalidInput("The request is not valid HTTP/1.1: " + ec.message() + "."));
    }
    if (ec) return Close();  // end of stream, header timeout or reset
    // Now that the path is known, the limit that applies to it.
    const size_t limit = IsLargeBodyPath(parser_->get().target())
                             ? state_.options.large_body_limit_bytes
                             : state_.options.body_limit_bytes;
    if (const auto length = parser_->content_length(); length && *length > limit) {
      return RejectTooLarge();
    }
    parser_->body_limit(limit);
    stream_.expires_after(state_.options.body_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  size_t LargeBodyLimit() const {
    return state_.options.large_body_path_prefix.empty() ? 0
                                                         : state_.options.large_body_limit_bytes;
  }
  bool IsLargeBodyPath(std::string_view target) const {
    return !state_.options.large_body_path_prefix.empty() &&
           target.starts_with(state_.options.large_body_path_prefix);
  }

  static bool IsMalformedHttp(beast::error_code ec) {
    return ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
           ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
  }

  void OnBody(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) return RejectTooLarge();
    if (IsMalformedHttp(ec)) {
      return Reject(
          400, Status::InvalidInput("The request is not valid HTTP/1.1: " + ec.message() + "."));
    }
    if (ec) return Close();
    auto& request = parser_->get();
    IncomingRequest incoming{request.method_string(), request.target(),
                             request[bhttp::field::authorization], std::move(request.body())};
    OutgoingResponse response = state_.dispatcher.Handle(std::move(incoming));
    Write(std::move(response), request.keep_alive());
  }

  void RejectTooLarge() {
    const bool large = parser_ && IsLargeBodyPath(parser_->get().target());
    const size_t limit =
        large ? state_.options.large_body_limit_bytes : state_.options.body_limit_bytes;
    Reject(413, Status(StatusCode::kPayloadTooLarge, "The request body exceeds the limit of " +
                                                         std::to_string(limit) + " bytes."));
  }

  // Answers a request the server refuses before dispatch, then closes: the rest of
  // the request is still on the wire and would be read as garbage.
  void Reject(int http_status, const Status& status) {
    busy_ = true;
    state_.dispatcher.RecordRejected(http_status);
    OutgoingResponse response = ErrorResponse(status, NewRequestId());
    response.status = http_status;
    Write(std::move(response), false);
  }

  void Write(OutgoingResponse outgoing, bool keep_alive) {
    response_.emplace();
    response_->version(11);
    response_->result(static_cast<unsigned>(outgoing.status));
    response_->set(bhttp::field::server, "vigil");
    response_->set("x-amzn-RequestId", outgoing.request_id);
    if (!outgoing.error_type.empty()) response_->set("X-Amzn-ErrorType", outgoing.error_type);
    if (outgoing.status != 204) {
      response_->set(bhttp::field::content_type, outgoing.content_type);
      response_->body() = std::move(outgoing.body);
    }
    response_->keep_alive(keep_alive && !state_.stopping);
    response_->prepare_payload();
    stream_.expires_after(state_.options.body_timeout);
    bhttp::async_write(
        stream_, *response_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    busy_ = false;
    const bool keep_alive = response_->keep_alive();
    response_.reset();
    if (ec || !keep_alive || state_.stopping) return Close();
    WaitForRequest();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  ServerState& state_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
  bool busy_ = false;  // a request has begun and is not yet answered

  static constexpr size_t kFirstReadBytes = 4096;
};

class Server::Impl {
 public:
  Impl(ServerOptions options, const Dispatcher& dispatcher, Metrics& metrics)
      : io_(static_cast<int>(ThreadCount(options))),
        acceptor_(net::make_strand(io_)),
        state_(std::move(options), dispatcher, metrics) {}

  static size_t ThreadCount(const ServerOptions& options) {
    if (options.threads > 0) return options.threads;
    return std::max(1u, std::thread::hardware_concurrency());
  }

  Status Listen() {
    beast::error_code ec;
    const auto address = net::ip::make_address(state_.options.host, ec);
    if (ec) return Status::Internal("invalid listen address '" + state_.options.host + "'");
    const tcp::endpoint endpoint{address, state_.options.port};
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Internal("cannot listen on " + state_.options.host + ":" +
                              std::to_string(state_.options.port) + ": " + ec.message());
    }
    return Status::Ok();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Run() {
    Accept();
    const size_t threads = ThreadCount(state_.options);
    std::vector<std::thread> workers;
    for (size_t i = 1; i < threads; ++i) workers.emplace_back([this] { io_.run(); });
    io_.run();
    for (auto& worker : workers) worker.join();
  }

  void Stop() {
    net::dispatch(acceptor_.get_executor(), [this] {
      if (state_.stopping.exchange(true)) return;
      beast::error_code ignored;
      acceptor_.close(ignored);
      std::lock_guard lock(state_.sessions_mutex);
      for (const auto& weak : state_.sessions) {
        if (auto session = weak.lock()) session->CloseIfIdle();
      }
    });
  }

 private:
  void Accept() {
    acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
      if (state_.stopping) return;
      if (!ec) {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto session = std::make_shared<Session>(std::move(socket), state_);
        PruneSessions();
        session->Start();
      }
      Accept();
    });
  }

  // Forgets sessions that have ended, so the registry does not grow without bound.
  void PruneSessions() {
    std::lock_guard lock(state_.sessions_mutex);
    if (state_.sessions.size() < 1024) return;
    std::erase_if(state_.sessions, [](const auto& weak) { return weak.expired(); });
  }

  net::io_context io_;
  tcp::acceptor acceptor_;
  ServerState state_;
};

Server::Server(ServerOptions options, const Dispatcher& dispatcher, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), dispatcher, metrics)) {}
Server::~Server() = default;
Status Server::Listen() { return impl_->Listen(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace vigil::http
