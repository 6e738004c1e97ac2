// gzip with zlib's streaming inflate: it handles concatenated members (what `cat a.gz b.gz`
// and many log shippers produce) and lets the output stop at the size limit instead of
// trusting the size a hostile trailer claims.
#include "ingest/decompress.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace vigil {
namespace {

constexpr unsigned char kGzipMagic0 = 0x1f;
constexpr unsigned char kGzipMagic1 = 0x8b;
// zlib counts in uInt; feed and drain it in steps that fit.
constexpr size_t kMaxStep = size_t{1} << 30;
constexpr size_t kMinOutputStep = 64 * 1024;

// Inflate state that is released on every path out.
class Inflater {
 public:
  Inflater() = default;
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() {
    if (initialized_) inflateEnd(&stream_);
  }

  bool Init() {
    // 16 + MAX_WBITS: expect a gzip header and trailer (and check the CRC-32).
    initialized_ = inflateInit2(&stream_, 16 + MAX_WBITS) == Z_OK;
    return initialized_;
  }
  z_stream& stream() { return stream_; }

 private:
  z_stream stream_{};
  bool initialized_ = false;
};

constexpr const char* kUnexpectedData = "Unexpected data after the gzip content.";

std::string OverLimit(size_t max_bytes) {
  return "The decompressed content is over the limit of " + std::to_string(max_bytes) + " bytes.";
}

// The ISIZE trailer field of the last member: the uncompressed size modulo 2^32 of a
// single-member file. Only a first guess at the output size; the limit is enforced as
// output is produced.
size_t TrailerSizeHint(std::string_view content) {
  if (content.size() < 18) return 0;
  const auto* tail = reinterpret_cast<const unsigned char*>(content.data() + content.size() - 4);
  return static_cast<size_t>(tail[0]) | static_cast<size_t>(tail[1]) << 8 |
         static_cast<size_t>(tail[2]) << 16 | static_cast<size_t>(tail[3]) << 24;
}

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

}  // namespace

std::string Gzip(std::string_view plain, int level) {
  z_stream stream{};
  // 16 + MAX_WBITS: the gzip wrapper; 8: zlib's default memory level.
  deflateInit2(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string compressed(deflateBound(&stream, static_cast<uLong>(plain.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  deflate(&stream, Z_FINISH);  // the buffer holds deflateBound: one call finishes
  compressed.resize(stream.total_out);
  deflateEnd(&stream);
  return compressed;
}

bool IsGzip(std::string_view content) {
  return content.size() >= 2 && static_cast<unsigned char>(content[0]) == kGzipMagic0 &&
         static_cast<unsigned char>(content[1]) == kGzipMagic1;
}

StatusOr<std::string> MaybeGunzip(std::string_view content, size_t max_bytes) {
  if (!IsGzip(content)) {
    if (content.size() > max_bytes) return Status::InvalidInput(OverLimit(max_bytes));
    return std::string(content);
  }

  Inflater inflater;
  if (!inflater.Init()) return Status::Internal("zlib inflateInit2 failed.");
  z_stream& stream = inflater.stream();

  std::string output;
  // The hint may be a lie; cap the first allocation so a tiny file cannot claim gigabytes.
  const size_t hint = std::min({TrailerSizeHint(content), max_bytes, content.size() * 64});
  output.resize(std::max(hint + 1, kMinOutputStep));
  size_t produced = 0;
  size_t consumed = 0;

  while (true) {
    if (produced == output.size()) {
      if (produced > max_bytes) return Status::InvalidInput(OverLimit(max_bytes));
      // Room for one byte over the limit, so reaching it is told apart from passing it.
      const size_t limit =
          max_bytes == std::numeric_limits<size_t>::max() ? max_bytes : max_bytes + 1;
      output.resize(std::min(std::max(output.size() * 2, kMinOutputStep), limit));
    }
    const size_t input_step = std::min(content.size() - consumed, kMaxStep);
    const size_t output_step = std::min(output.size() - produced, kMaxStep);
    stream.next_in =
        reinterpret_cast<Bytef*>(const_cast<char*>(content.data() + consumed));  // zlib API
    stream.avail_in = static_cast<uInt>(input_step);
    stream.next_out = reinterpret_cast<Bytef*>(output.data() + produced);
    stream.avail_out = static_cast<uInt>(output_step);

    const int code = inflate(&stream, Z_NO_FLUSH);
    consumed += input_step - stream.avail_in;
    produced += output_step - stream.avail_out;
    if (produced > max_bytes) return Status::InvalidInput(OverLimit(max_bytes));

    if (code == Z_STREAM_END) {
      const std::string_view rest = content.substr(consumed);
      // Another member follows, or padding some writers add; anything else is corrupt.
      if (IsGzip(rest)) {
        if (inflateReset(&stream) != Z_OK) return Status::Internal("zlib inflateReset failed.");
        continue;
      }
      if (!AllZero(rest)) return Status::InvalidInput(kUnexpectedData);
      break;
    }
    if (code == Z_BUF_ERROR) {
      // No progress possible: either the output is full (grown above) or the input ran out
      // before the end of the member.
      if (produced < output.size() && consumed == content.size()) {
        return Status::InvalidInput("The gzip content is truncated.");
      }
      continue;
    }
    if (code != Z_OK) {
      const char* detail = stream.msg != nullptr ? stream.msg : "inflate failed";
      return Status::InvalidInput(std::string("The gzip content is corrupt: ") + detail + ".");
    }
    if (consumed == content.size() && stream.avail_out != 0) {
      // All input taken, room left, and still not at the end of the member.
      return Status::InvalidInput("The gzip content is truncated.");
    }
  }
  output.resize(produced);
  return output;
}

// The z_stream of GunzipStream, released with it.
class GunzipStream::Inflater : public vigil::Inflater {};

GunzipStream::GunzipStream(size_t max_bytes, Sink sink)
    : max_bytes_(max_bytes), sink_(std::move(sink)) {}

GunzipStream::~GunzipStream() = default;

Status GunzipStream::Write(std::string_view piece) {
  switch (state_) {
    case State::kStart:
      return Decide(piece);
    case State::kPlain:
      return Plain(piece);
    case State::kMember:
    case State::kAfterMember:
    case State::kPadding:
      return Inflate(piece);
    case State::kFailed:
      break;
  }
  return failure_;
}

Status GunzipStream::Finish() {
  switch (state_) {
    case State::kStart:
      // Fewer than two bytes in all: not gzip.
      state_ = State::kPlain;
      return Plain(std::exchange(held_, {}));
    case State::kPlain:
    case State::kPadding:
      return Status::Ok();
    case State::kMember:
      return Fail(Status::InvalidInput("The gzip content is truncated."));
    case State::kAfterMember:
      // A lone 0x1f after a member is neither another member nor padding.
      if (!held_.empty()) return Fail(Status::InvalidInput(kUnexpectedData));
      return Status::Ok();
    case State::kFailed:
      break;
  }
  return failure_;
}

// The first two bytes decide, as IsGzip does for a whole content.
Status GunzipStream::Decide(std::string_view piece) {
  if (held_.size() + piece.size() < 2) {
    held_.append(piece);
    return Status::Ok();
  }
  std::string head = std::exchange(held_, {});
  const size_t from_piece = std::min(piece.size(), 2 - std::min<size_t>(head.size(), 2));
  head.append(piece.substr(0, from_piece));
  if (IsGzip(head)) {
    inflater_ = std::make_unique<Inflater>();
    if (!inflater_->Init()) return Fail(Status::Internal("zlib inflateInit2 failed."));
    block_ = std::make_unique_for_overwrite<char[]>(kBlockBytes);
    state_ = State::kMember;
    VIGIL_RETURN_IF_ERROR(Inflate(head));
    return Inflate(piece.substr(from_piece));
  }
  state_ = State::kPlain;
  VIGIL_RETURN_IF_ERROR(Plain(head));
  return Plain(piece.substr(from_piece));
}

Status GunzipStream::Plain(std::string_view piece) {
  produced_ += piece.size();
  if (produced_ > max_bytes_) return Fail(Status::InvalidInput(OverLimit(max_bytes_)));
  while (!piece.empty()) {
    const std::string_view block = piece.substr(0, kBlockBytes);
    piece.remove_prefix(block.size());
    if (Status status = sink_(block); !status.ok()) return Fail(std::move(status));
  }
  return Status::Ok();
}

Status GunzipStream::Inflate(std::string_view piece) {
  z_stream& stream = inflater_->stream();
  size_t filled = 0;  // bytes of block_ not yet given to the sink
  const auto flush = [&]() -> Status {
    if (filled == 0) return Status::Ok();
    Status status = sink_(std::string_view(block_.get(), filled));
    filled = 0;
    return status;
  };
  while (!piece.empty()) {
    if (state_ == State::kPadding) {
      // Padding is zeros to the end; anything else after it is corrupt, as MaybeGunzip says.
      if (!AllZero(piece)) return Fail(Status::InvalidInput(kUnexpectedData));
      break;
    }
    if (state_ == State::kAfterMember) {
      // Another member (its magic may straddle two pieces) or the start of padding.
      const std::string_view next = held_.empty() ? piece : std::string_view(held_);
      if (next.front() == '\0') {
        state_ = State::kPadding;
        continue;
      }
      if (static_cast<unsigned char>(next.front()) != kGzipMagic0) {
        return Fail(Status::InvalidInput(kUnexpectedData));
      }
      if (held_.empty() && piece.size() == 1) {
        held_.assign(piece);
        break;
      }
      const char second = held_.empty() ? piece[1] : piece[0];
      if (static_cast<unsigned char>(second) != kGzipMagic1) {
        return Fail(Status::InvalidInput(kUnexpectedData));
      }
      if (inflateReset(&stream) != Z_OK) return Fail(Status::Internal("zlib inflateReset failed."));
      state_ = State::kMember;
      if (!held_.empty()) {
        // The held first magic byte goes in before the rest, alone. A header byte makes
        // no output, so the block needs no room.
        unsigned char magic0 = kGzipMagic0;
        held_.clear();
        stream.next_in = &magic0;
        stream.avail_in = 1;
        stream.next_out = reinterpret_cast<Bytef*>(block_.get() + filled);
        stream.avail_out = static_cast<uInt>(kBlockBytes - filled);
        if (inflate(&stream, Z_NO_FLUSH) != Z_OK || stream.avail_in != 0) {
          return Fail(Status::Internal("zlib did not take a gzip header byte."));
        }
      }
    }
    if (filled == kBlockBytes) {
      if (Status status = flush(); !status.ok()) return Fail(std::move(status));
    }
    const size_t input_step = std::min(piece.size(), kMaxStep);
    const size_t output_step = kBlockBytes - filled;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));  // zlib API
    stream.avail_in = static_cast<uInt>(input_step);
    stream.next_out = reinterpret_cast<Bytef*>(block_.get() + filled);
    stream.avail_out = static_cast<uInt>(output_step);

    const int code = inflate(&stream, Z_NO_FLUSH);
    piece.remove_prefix(input_step - stream.avail_in);
    filled += output_step - stream.avail_out;
    produced_ += output_step - stream.avail_out;
    // Checked before the block is passed on, so nothing past the limit is ever parsed.
    if (produced_ > max_bytes_) return Fail(Status::InvalidInput(OverLimit(max_bytes_)));

    if (code == Z_STREAM_END) {
      state_ = State::kAfterMember;
      continue;
    }
    // Z_BUF_ERROR: no progress possible. With room in the block, the input is used up
    // and the member goes on in the next piece (or is truncated, said by Finish).
    if (code == Z_BUF_ERROR && input_step == stream.avail_in && output_step == stream.avail_out &&
        output_step != 0) {
      return Fail(Status::Internal("zlib inflate made no progress."));
    }
    if (code == Z_BUF_ERROR || code == Z_OK) continue;
    const char* detail = stream.msg != nullptr ? stream.msg : "inflate failed";
    return Fail(Status::InvalidInput(std::string("The gzip content is corrupt: ") + detail + "."));
  }
  if (Status status = flush(); !status.ok()) return Fail(std::move(status));
  return Status::Ok();
}

Status GunzipStream::Fail(Status status) {
  state_ = State::kFailed;
  failure_ = status;
  return status;
}

}  // namespace vigil
