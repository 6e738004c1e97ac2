// Router: matches (method, raw path) against route templates such as
// "/detector/{detectorId}/filter/{filterName}".
//
// Matching runs on the raw, still-encoded path split at '/', and only then is each
// captured label percent-decoded — so an ARN sent as one segment with %2F inside
// stays one label. The router knows nothing about GuardDuty: routes come from api/.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/request_context.h"
#include "core/status.h"

namespace vigil::http {

// A request as a handler sees it: decoded labels and query, raw body, and context.
struct Request {
  std::string method;
  std::vector<std::pair<std::string, std::string>> labels;  // from the path template
  std::vector<std::pair<std::string, std::string>> query;   // in order, repeats kept
  std::string body;
  RequestContext context;

  // The decoded value of path label `name`; empty when absent.
  const std::string& Label(std::string_view name) const;
  // The first value of query parameter `name`, if present.
  std::optional<std::string> QueryValue(std::string_view name) const;
  // Every value of a repeated query parameter, in order.
  std::vector<std::string> QueryValues(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string body;  // JSON unless content_type says otherwise
  std::string content_type = "application/json";
};

using Handler = std::function<StatusOr<Response>(const Request&)>;

// Takes a request body piece by piece as the server reads it, for routes whose bodies are
// too large to hold at once (log ingestion). Used by one thread at a time.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // The next piece of the body. An error answers the request; the rest is not read.
  virtual Status Write(std::string_view piece) = 0;
  // The body is complete: the response.
  virtual StatusOr<Response> Finish() = 0;
};

// Opens the sink of a request whose headers have arrived (its body is still empty). An
// error answers the request before any of its body is read.
using BodySinkFactory = std::function<StatusOr<std::unique_ptr<BodySink>>(const Request&)>;

struct Route {
  std::string method;
  std::string path_template;
  std::string operation;  // e.g. "GetDetector"; names metrics and log lines
  Handler handler;        // the whole request
  // Optional: the body streamed into a sink instead, where the server reads it in pieces.
  BodySinkFactory open_body_sink;
  // Answered without authentication in every --auth mode (health checks, metric scrapes).
  bool anonymous = false;
  size_t index = 0;  // position in the router, for per-route metrics
};

class Router {
 public:
  // Adds a route. Templates are literal segments and {label} segments.
  void Add(std::string method, std::string path_template, std::string operation, Handler handler,
           BodySinkFactory open_body_sink = nullptr, bool anonymous = false);

  struct Match {
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> labels;
  };
  // Finds the route for `method` and the raw (encoded) `path`, preferring literal
  // segments over labels. Errors: UnknownOperation when nothing matches; InvalidInput
  // when a label is badly percent-encoded.
  StatusOr<Match> Find(std::string_view method, std::string_view raw_path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    std::string text;  // literal text, or the label name
    bool is_label = false;
  };
  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> templates_;  // parallel to routes_
};

}  // namespace vigil::http
