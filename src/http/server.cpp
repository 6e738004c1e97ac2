#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
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
  std::atomic_size_t open_sessions{0};  // against options.max_connections
  std::mutex sessions_mutex;
  std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> sessions;
};

// One client connection. All its handlers run on its strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerState& state) : stream_(std::move(socket)), state_(state) {
    state_.open_sessions.fetch_add(1);
    state_.metrics.ConnectionOpened();
  }
  ~Session() {
    state_.metrics.ConnectionClosed();
    state_.open_sessions.fetch_sub(1);
  }

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
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t head_bytes) {
                               self->OnHeader(ec, head_bytes);
                             });
  }

  void OnHeader(beast::error_code ec, size_t head_bytes) {
    if (ec == bhttp::error::header_limit) {
      // A target too long is a URI too long (414), whether the request line it is on
      // ended in time (the parser then has the target; the buffer holds only what follows)
      // or not (the buffer holds the beginning of the line).
      const std::string_view target = parser_->get().target();
      const auto unparsed = buffer_.cdata();
      const auto rejection =
          target.empty()
              ? CheckRequestLine({static_cast<const char*>(unparsed.data()), unparsed.size()},
                                 state_.options.request_limits)
              : CheckRequestHead(target, {}, state_.options.request_limits);
      if (rejection) return Reject(rejection->http_status, rejection->status);
      return RejectLargeHead();
    }
    // Beast's own limit is approximate (it may let through a head that arrived whole in one
    // read a little over it); the size of the head as parsed is exact.
    if (!ec && head_bytes > state_.options.header_limit_bytes) return RejectLargeHead();
    // Beast checks a declared Content-Length against the body limit with the headers.
    if (ec == bhttp::error::body_limit) return RejectTooLarge();
    if (IsMalformedHttp(ec)) {
      return Reject(
          400, Status::InvalidInput("The request is not valid HTTP/1.1: " + ec.message() + "."));
    }
    if (ec) return Close();  // end of stream, header timeout or reset
    if (auto rejection = CheckRequestHead(parser_->get().target(), Headers(parser_->get()),
                                          state_.options.request_limits)) {
      return Reject(rejection->http_status, rejection->status);
    }
    // Now that the path is known, the limit that applies to it.
    const size_t limit = IsLargeBodyPath(parser_->get().target())
                             ? state_.options.large_body_limit_bytes
                             : state_.options.body_limit_bytes;
    if (const auto length = parser_->content_length(); length && *length > limit) {
      return RejectTooLarge();
    }
    parser_->body_limit(limit);
    body_deadline_ = std::chrono::steady_clock::now() + state_.options.body_timeout;
    if (IsLargeBodyPath(parser_->get().target())) {
      const auto& request = parser_->get();
      streaming_ = state_.dispatcher.OpenStream({request.method_string(),
                                                 request.target(),
                                                 request[bhttp::field::authorization],
                                                 {},
                                                 Headers(request)});
      if (streaming_) return StartStreaming();
    }
    stream_.expires_at(body_deadline_);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  // The body of a streaming route is read a piece at a time, each handed to the route
  // before the next is read, so the client is held back by the route's pace (TCP flow
  // control) and no more than a piece is buffered here.
  void StartStreaming() {
    // Refused from its path and headers alone (not owned, disabled...): the body is
    // never read.
    if (streaming_->answered()) return AnswerStreaming();
    const bool expects_continue =
        beast::iequals(parser_->get()[bhttp::field::expect], "100-continue");
    body_parser_.emplace(std::move(*parser_));
    parser_.reset();
    if (!expects_continue) return ReadBodyPiece();
    // The client waits for this before sending a large body.
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_at(body_deadline_);
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->AbandonStreaming();
                       self->ReadBodyPiece();
                     });
  }

  void ReadBodyPiece() {
    if (!piece_) piece_ = std::make_unique_for_overwrite<char[]>(kPieceBytes);
    auto& body = body_parser_->get().body();
    body.data = piece_.get();
    body.size = kPieceBytes;
    body.more = true;
    stream_.expires_at(body_deadline_);
    bhttp::async_read(
        stream_, buffer_, *body_parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBodyPiece(ec); });
  }

  void OnBodyPiece(beast::error_code ec) {
    if (ec == bhttp::error::need_buffer) ec = {};  // the piece is full
    if (ec == bhttp::error::body_limit) {
      streaming_->Fail(TooLarge(state_.options.large_body_limit_bytes));
      return AnswerStreaming();
    }
    if (IsMalformedHttp(ec)) {
      streaming_->Fail(
          Status::InvalidInput("The request is not valid HTTP/1.1: " + ec.message() + "."));
      return AnswerStreaming();
    }
    if (ec) return AbandonStreaming();  // closed, reset or body timeout
    const size_t size = kPieceBytes - body_parser_->get().body().size;
    // The time the route spends on a piece is not the client's: the deadline for the
    // body moves by it.
    const auto started = std::chrono::steady_clock::now();
    streaming_->Write(std::string_view(piece_.get(), size));
    if (!streaming_->answered() && body_parser_->is_done()) streaming_->Finish();
    body_deadline_ += std::chrono::steady_clock::now() - started;
    if (streaming_->answered()) return AnswerStreaming();
    ReadBodyPiece();
  }

  void AnswerStreaming() {
    // The connection stays open only when the whole body has been read (a request
    // refused from its headers may have had none).
    const bool complete = body_parser_ ? body_parser_->is_done() : parser_->is_done();
    const bool keep_alive =
        complete && (body_parser_ ? body_parser_->keep_alive() : parser_->keep_alive());
    OutgoingResponse response = streaming_->TakeResponse();
    streaming_.reset();
    body_parser_.reset();
    piece_.reset();
    Write(std::move(response), keep_alive, /*body_unread=*/!complete);
  }

  void AbandonStreaming() {
    streaming_.reset();
    body_parser_.reset();
    Close();
  }

  size_t LargeBodyLimit() const {
    return state_.options.large_body_path_prefix.empty() ? 0
                                                         : state_.options.large_body_limit_bytes;
  }
  bool IsLargeBodyPath(std::string_view target) const {
    return !state_.options.large_body_path_prefix.empty() &&
           target.starts_with(state_.options.large_body_path_prefix);
  }

  // Every header as received, for the dispatcher (SigV4 may sign any of them). Views into
  // `fields`, which must outlive them.
  static std::vector<std::pair<std::string_view, std::string_view>> Headers(
      const bhttp::fields& fields) {
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    for (const auto& field : fields) headers.emplace_back(field.name_string(), field.value());
    return headers;
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
                             request[bhttp::field::authorization], std::move(request.body()),
                             Headers(request)};
    OutgoingResponse response = state_.dispatcher.Handle(std::move(incoming));
    Write(std::move(response), request.keep_alive());
  }

  void RejectLargeHead() {
    Reject(431,
           Status::InvalidInput("The request headers exceed the limit of " +
                                std::to_string(state_.options.header_limit_bytes) + " bytes."));
  }

  static Status TooLarge(size_t limit) {
    return Status(StatusCode::kPayloadTooLarge,
                  "The request body exceeds the limit of " + std::to_string(limit) + " bytes.");
  }

  void RejectTooLarge() {
    const bool large = parser_ && IsLargeBodyPath(parser_->get().target());
    Reject(413, TooLarge(large ? state_.options.large_body_limit_bytes
                               : state_.options.body_limit_bytes));
  }

  // Answers a request the server refuses before dispatch, then closes: the rest of
  // the request is still on the wire and would be read as garbage.
  void Reject(int http_status, const Status& status) {
    busy_ = true;
    state_.dispatcher.RecordRejected(http_status);
    OutgoingResponse response = ErrorResponse(status, NewRequestId());
    response.status = http_status;
    Write(std::move(response), false, /*body_unread=*/true);
  }

  // `body_unread`: the client may still be sending the request's body; the connection
  // then closes gently after the answer (Linger).
  void Write(OutgoingResponse outgoing, bool keep_alive, bool body_unread = false) {
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
    bhttp::async_write(stream_, *response_,
                       [self = shared_from_this(), body_unread](beast::error_code ec, size_t) {
                         self->OnWrite(ec, body_unread);
                       });
  }

  void OnWrite(beast::error_code ec, bool body_unread) {
    busy_ = false;
    const bool keep_alive = response_->keep_alive();
    response_.reset();
    if (!ec && body_unread && !state_.stopping) return Linger();
    if (ec || !keep_alive || state_.stopping) return Close();
    WaitForRequest();
  }

  // After answering a request whose body was left unread: stops sending and reads what
  // the client still sends, discarding it, until it closes (or a few seconds pass).
  // Closing with unread data would reset the connection, and a client still sending
  // could lose the answer with it.
  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    linger_deadline_ = std::chrono::steady_clock::now() + kLingerTimeout;
    Discard();
  }

  void Discard() {
    buffer_.clear();
    stream_.expires_at(linger_deadline_);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes * 16),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();  // closed by the client, or time
                              self->Discard();
                            });
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
  // The body must have arrived by then (time spent processing it excluded).
  std::chrono::steady_clock::time_point body_deadline_;
  // A streaming route's request, its body parser and the buffer of its current piece.
  std::unique_ptr<StreamingRequest> streaming_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> body_parser_;
  std::unique_ptr<char[]> piece_;
  std::chrono::steady_clock::time_point linger_deadline_;

  static constexpr size_t kFirstReadBytes = 4096;
  static constexpr size_t kPieceBytes = 256 * 1024;
  static constexpr std::chrono::seconds kLingerTimeout{5};
};

class Server::Impl {
 public:
  Impl(ServerOptions options, const Dispatcher& dispatcher, Metrics& metrics)
      : io_(static_cast<int>(ThreadCount(options))),
        acceptor_(net::make_strand(io_)),
        accept_retry_(acceptor_.get_executor()),
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
      accept_retry_.cancel();
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
      if (ec) return AcceptLater();  // out of file descriptors, most likely: do not spin
      if (state_.open_sessions.load() >= state_.options.max_connections) {
        RefuseBusy(std::move(socket));
      } else {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto session = std::make_shared<Session>(std::move(socket), state_);
        PruneSessions();
        session->Start();
      }
      Accept();
    });
  }

  // After a failed accept, waits a moment before the next: the failure (EMFILE, ENFILE)
  // would otherwise repeat at once, forever, and the pending connection with it.
  void AcceptLater() {
    accept_retry_.expires_after(std::chrono::milliseconds(50));
    accept_retry_.async_wait([this](beast::error_code ec) {
      if (!ec && !state_.stopping) Accept();
    });
  }

  // A connection beyond --max-connections: a 503 in GuardDuty's error shape if the socket
  // takes it at once (a fresh socket's send buffer always does), then closed. Never waits
  // on the client, so a flood of connections costs the server nothing it keeps.
  void RefuseBusy(tcp::socket socket) {
    state_.dispatcher.RecordRejected(503);
    const OutgoingResponse refusal = ErrorResponse(
        Status(StatusCode::kServiceUnavailable, "The server has reached its limit of " +
                                                    std::to_string(state_.options.max_connections) +
                                                    " open connections; try again later."),
        NewRequestId());
    // Written whole in one call, without a session, so spelled out here rather than
    // through Beast's serializer.
    const std::string response =
        "HTTP/1.1 503 Service Unavailable\r\nServer: vigil\r\nx-amzn-RequestId: " +
        refusal.request_id + "\r\nX-Amzn-ErrorType: " + refusal.error_type +
        "\r\nRetry-After: 1\r\nContent-Type: " + refusal.content_type +
        "\r\nContent-Length: " + std::to_string(refusal.body.size()) +
        "\r\nConnection: close\r\n\r\n" + refusal.body;
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(net::buffer(response), ignored);
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
  }

  // Forgets sessions that have ended, so the registry does not grow without bound.
  void PruneSessions() {
    std::lock_guard lock(state_.sessions_mutex);
    if (state_.sessions.size() < 1024) return;
    std::erase_if(state_.sessions, [](const auto& weak) { return weak.expired(); });
  }

  net::io_context io_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;  // on the acceptor's strand
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
