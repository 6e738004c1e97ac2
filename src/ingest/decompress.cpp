// gzip with zlib's streaming inflate: it handles concatenated members (what `cat a.gz b.gz`
// and many log shippers produce) and lets the output stop at the size limit instead of
// trusting the size a hostile trailer claims.
#include "ingest/decompress.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

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
      if (!AllZero(rest)) return Status::InvalidInput("Unexpected data after the gzip content.");
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

}  // namespace vigil
