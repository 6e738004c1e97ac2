// Transparent gzip: log files arrive gzip-compressed or plain, told apart by magic bytes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

// `plain` as one gzip member (as gzip(1) and the AWS log writers make it), at zlib
// compression `level` 1 (fastest) to 9 (smallest).
std::string Gzip(std::string_view plain, int level = 6);

// True when `content` starts with the gzip magic bytes (1f 8b).
bool IsGzip(std::string_view content);

// The content, inflated when it is gzip (concatenated members too), as is otherwise.
// InvalidInput for corrupt gzip or when the result would exceed `max_bytes`.
StatusOr<std::string> MaybeGunzip(std::string_view content, size_t max_bytes);

// MaybeGunzip for content that arrives in pieces, holding only a block of output at a
// time: the same magic-byte test on the first two bytes, concatenated members, zero
// padding after the last one, limit and error messages. Not thread-safe.
class GunzipStream {
 public:
  // Receives the plain content in order, in blocks of at most kBlockBytes; an error it
  // returns stops the stream and is returned by Write or Finish.
  using Sink = std::function<Status(std::string_view block)>;
  static constexpr size_t kBlockBytes = 256 * 1024;

  GunzipStream(size_t max_bytes, Sink sink);
  ~GunzipStream();
  GunzipStream(const GunzipStream&) = delete;
  GunzipStream& operator=(const GunzipStream&) = delete;

  // Takes the next piece of content. InvalidInput for corrupt gzip or when the plain
  // content passes `max_bytes`; after an error the stream is spent.
  Status Write(std::string_view piece);
  // The content is complete. InvalidInput when it ends inside a gzip member.
  Status Finish();

 private:
  class Inflater;
  enum class State { kStart, kPlain, kMember, kAfterMember, kPadding, kFailed };

  Status Decide(std::string_view piece);
  Status Plain(std::string_view piece);
  Status Inflate(std::string_view piece);
  Status Fail(Status status);

  const size_t max_bytes_;
  Sink sink_;
  State state_ = State::kStart;
  Status failure_;       // what spent the stream
  std::string held_;     // up to one byte of a magic number not yet complete
  size_t produced_ = 0;  // plain bytes so far
  std::unique_ptr<Inflater> inflater_;
  std::unique_ptr<char[]> block_;
};

}  // namespace vigil
