// LogChunker: cuts the plain text of a log body, as it arrives, into pieces of whole lines
// that the whole-body parsers (ParseFlowLogs, ParseCloudTrail, ParseDnsLogs) read one at a
// time with the same records, rejects and positions as they would the whole body, so a
// batch is parsed and evaluated in bounded memory.
//
// What a line means can depend on the lines before it: the first non-blank line of a flow
// log may be a header that names the format (later copies of it are skipped), and the first
// non-blank line of a CloudTrail file decides whether the file is JSON lines. So each piece
// after the first begins with a copy of the body's opening lines, through its first
// non-blank line (the lead); the caller takes away what the lead yields when parsed on its
// own and adds line_offset to every position.
//
// A CloudTrail file that is not JSON lines opened by a whole object ({"Records":[...]}, one
// event, an EventBridge envelope, pretty-printed JSON, or lines whose first is broken) cannot
// be parsed in pieces: it is held whole and given as one piece at the end. So is a body
// whose lead is longer than 1 MiB.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

enum class LineLayout {
  kIndependent,  // every line stands alone (Route 53 Resolver query logs)
  kFlowLogs,     // the first non-blank line may be a header
  kCloudTrail,   // JSON lines when the first non-blank line is a whole object
};

class LogChunker {
 public:
  struct Piece {
    // Whole lines of the body (the last piece may end without a newline), preceded by the
    // lead when has_lead. Valid until the next call on the chunker.
    std::string_view text;
    bool has_lead = false;
    // Line n of `text` (1-based) is line n + line_offset of the body.
    size_t line_offset = 0;
  };

  // A piece is cut at the first line end after `piece_bytes` bytes of new lines (at least
  // one line per piece).
  LogChunker(LineLayout layout, size_t piece_bytes);

  // Adds the next text of the body. Memory stays bounded when pieces are taken with Next
  // after each Append of a bounded block.
  void Append(std::string_view text);
  // No more text follows: what is left becomes the last pieces.
  void Close();
  // The next piece that is ready, if any.
  std::optional<Piece> Next();

  // The lead ("" until known, and for kIndependent); pieces with has_lead start with it.
  std::string_view lead() const { return lead_; }

 private:
  enum class Mode { kOpening, kPieces, kWhole };

  void FindLead();
  size_t CountNewlines(size_t begin, size_t end) const;

  const LineLayout layout_;
  const size_t piece_bytes_;
  Mode mode_ = Mode::kOpening;
  bool closed_ = false;
  bool first_piece_done_ = false;
  std::string buffer_;
  size_t start_ = 0;                       // first byte of buffer_ not yet given in a piece
  size_t lines_before_ = 0;                // body lines before start_
  size_t scanned_ = 0;                     // FindLead has looked at buffer_ up to here
  size_t lead_begin_ = std::string::npos;  // the first non-blank byte of the body
  size_t first_line_end_ = 0;              // the first piece must end at a newline at or after this
  std::string lead_;
  size_t lead_lines_ = 0;
};

}  // namespace vigil
