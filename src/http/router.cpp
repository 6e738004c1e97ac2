#include "http/router.h"

#include "http/percent.h"

namespace vigil::http {

namespace {

// Splits "/a/b/c" into {"a","b","c"}; "/" gives {}. A trailing slash is ignored.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return segments;
  size_t start = 0;
  while (true) {
    const size_t end = path.find('/', start);
    segments.push_back(path.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return segments;
    start = end + 1;
  }
}

}  // namespace

const std::string& Request::Label(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [key, value] : labels) {
    if (key == name) return value;
  }
  return kEmpty;
}

std::optional<std::string> Request::QueryValue(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Request::QueryValues(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : query) {
    if (key == name) values.push_back(value);
  }
  return values;
}

void Router::Add(std::string method, std::string path_template, std::string operation,
                 Handler handler, BodySinkFactory open_body_sink, bool anonymous) {
  std::vector<Segment> segments;
  for (std::string_view part : SplitPath(path_template)) {
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      segments.push_back({std::string(part.substr(1, part.size() - 2)), true});
    } else {
      segments.push_back({std::string(part), false});
    }
  }
  templates_.push_back(std::move(segments));
  routes_.push_back(Route{std::move(method), std::move(path_template), std::move(operation),
                          std::move(handler), std::move(open_body_sink), anonymous,
                          routes_.size()});
}

StatusOr<Router::Match> Router::Find(std::string_view method, std::string_view raw_path) const {
  const std::vector<std::string_view> segments = SplitPath(raw_path);
  const Route* best = nullptr;
  int best_literals = -1;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const std::vector<Segment>& pattern = templates_[i];
    if (routes_[i].method != method || pattern.size() != segments.size()) continue;
    int literals = 0;
    bool matches = true;
    for (size_t s = 0; s < pattern.size() && matches; ++s) {
      if (pattern[s].is_label) {
        matches = !segments[s].empty();
      } else {
        matches = pattern[s].text == segments[s];
        ++literals;
      }
    }
    if (matches && literals > best_literals) {
      best = &routes_[i];
      best_literals = literals;
    }
  }
  if (best == nullptr) {
    return Status(StatusCode::kUnknownOperation, "No GuardDuty operation matches " +
                                                     std::string(method) + " " +
                                                     std::string(raw_path.substr(0, 200)));
  }
  Match match{best, {}};
  const std::vector<Segment>& pattern = templates_[best->index];
  for (size_t s = 0; s < pattern.size(); ++s) {
    if (!pattern[s].is_label) continue;
    std::optional<std::string> decoded = DecodePathSegment(segments[s]);
    if (!decoded) {
      return Status::InvalidInput("The request is rejected because the parameter " +
                                  pattern[s].text + " is not correctly percent-encoded.");
    }
    match.labels.emplace_back(pattern[s].text, std::move(*decoded));
  }
  return match;
}

}  // namespace vigil::http
