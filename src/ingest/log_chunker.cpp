#include "ingest/log_chunker.h"

#include <algorithm>
#include <cstring>

namespace vigil {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// A longer lead (a broken first line) would be copied into every piece; such a body is
// held whole instead.
constexpr size_t kMaxLeadBytes = size_t{1} << 20;

// Blank for both flow logs (spaces and tabs, a carriage return before the newline) and
// CloudTrail (JSON whitespace). A line the flow parser would take for blank is always blank
// here too, so the lead always holds the line that parser treats as its first.
bool IsBlankByte(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view TrimJsonWhitespace(std::string_view text) {
  while (!text.empty() && IsBlankByte(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlankByte(text.back())) text.remove_suffix(1);
  return text;
}

// ParseCloudTrail's test for the line that makes a file JSON lines.
bool IsWholeObjectLine(std::string_view line) {
  line = TrimJsonWhitespace(line);
  return line.size() >= 2 && line.front() == '{' && line.back() == '}';
}

}  // namespace

LogChunker::LogChunker(LineLayout layout, size_t piece_bytes)
    : layout_(layout), piece_bytes_(std::max<size_t>(piece_bytes, 1)) {
  if (layout_ == LineLayout::kIndependent) mode_ = Mode::kPieces;
}

void LogChunker::Append(std::string_view text) {
  // Bytes already given in pieces go once they outnumber those still pending, which keeps
  // the moving linear; room for the lead stays in front of the pending bytes.
  const size_t keep = lead_.size();
  if (first_piece_done_ && start_ > keep && start_ - keep >= buffer_.size() - start_) {
    buffer_.erase(0, start_ - keep);
    start_ = keep;
  }
  buffer_.append(text);
}

void LogChunker::Close() { closed_ = true; }

size_t LogChunker::CountNewlines(size_t begin, size_t end) const {
  size_t count = 0;
  const char* cursor = buffer_.data() + begin;
  const char* const stop = buffer_.data() + end;
  while (cursor != stop) {
    const void* newline = std::memchr(cursor, '\n', static_cast<size_t>(stop - cursor));
    if (newline == nullptr) break;
    ++count;
    cursor = static_cast<const char*>(newline) + 1;
  }
  return count;
}

// Looks, as text arrives, for the lead and (CloudTrail) for what decides the layout.
void LogChunker::FindLead() {
  const auto non_blank_from = [this](size_t from) {
    while (from < buffer_.size() && IsBlankByte(buffer_[from])) ++from;
    return from;
  };
  if (lead_.empty()) {
    if (scanned_ == 0 && layout_ == LineLayout::kCloudTrail) {
      // ParseCloudTrail drops a byte order mark before anything else.
      if (buffer_.size() < kUtf8Bom.size() && kUtf8Bom.starts_with(buffer_) && !closed_) return;
      if (buffer_.starts_with(kUtf8Bom)) scanned_ = kUtf8Bom.size();
    }
    if (lead_begin_ == std::string::npos) {
      scanned_ = non_blank_from(scanned_);
      if (scanned_ == buffer_.size()) return;
      lead_begin_ = scanned_;
    }
    const size_t newline = buffer_.find('\n', scanned_);
    if (newline == std::string::npos) {
      scanned_ = buffer_.size();
      return;
    }
    if (newline + 1 > kMaxLeadBytes) {
      mode_ = Mode::kWhole;
      return;
    }
    lead_.assign(buffer_, 0, newline + 1);
    lead_lines_ = CountNewlines(0, lead_.size());
    scanned_ = lead_.size();
    if (layout_ == LineLayout::kFlowLogs) {
      first_line_end_ = lead_.size() - 1;
      mode_ = Mode::kPieces;
      return;
    }
  }
  // CloudTrail is JSON lines when another non-blank line follows a whole-object first line.
  scanned_ = non_blank_from(scanned_);
  if (scanned_ == buffer_.size()) return;
  const std::string_view first_line(buffer_.data() + lead_begin_, lead_.size() - 1 - lead_begin_);
  if (!IsWholeObjectLine(first_line)) {
    mode_ = Mode::kWhole;
    return;
  }
  // The first piece holds that second line, or ParseCloudTrail would not see lines.
  first_line_end_ = scanned_;
  mode_ = Mode::kPieces;
}

std::optional<LogChunker::Piece> LogChunker::Next() {
  if (mode_ == Mode::kOpening) FindLead();
  if (mode_ == Mode::kOpening && closed_) mode_ = Mode::kWhole;
  if (mode_ == Mode::kOpening || start_ == buffer_.size()) return std::nullopt;
  if (mode_ == Mode::kWhole) {
    if (!closed_) return std::nullopt;
    Piece piece{std::string_view(buffer_).substr(start_), false, lines_before_};
    start_ = buffer_.size();
    return piece;
  }

  size_t cut = buffer_.size();
  std::optional<size_t> search_from;
  if (buffer_.size() - start_ >= piece_bytes_) search_from = start_ + piece_bytes_ - 1;
  if (search_from && !first_piece_done_) search_from = std::max(*search_from, first_line_end_);
  const void* newline = nullptr;
  if (search_from && *search_from < buffer_.size()) {
    newline = std::memchr(buffer_.data() + *search_from, '\n', buffer_.size() - *search_from);
  }
  if (newline != nullptr) {
    cut = static_cast<size_t>(static_cast<const char*>(newline) - buffer_.data()) + 1;
  } else if (!closed_) {
    return std::nullopt;
  }

  Piece piece;
  if (!first_piece_done_ || lead_.empty()) {
    piece.text = std::string_view(buffer_).substr(start_, cut - start_);
    piece.line_offset = lines_before_;
  } else {
    // The bytes before start_ have been given already: the lead is copied over them.
    const size_t lead_start = start_ - lead_.size();
    std::memcpy(buffer_.data() + lead_start, lead_.data(), lead_.size());
    piece.text = std::string_view(buffer_).substr(lead_start, cut - lead_start);
    piece.has_lead = true;
    piece.line_offset = lines_before_ - lead_lines_;
  }
  first_piece_done_ = true;
  lines_before_ += CountNewlines(start_, cut);
  start_ = cut;
  return piece;
}

}  // namespace vigil
