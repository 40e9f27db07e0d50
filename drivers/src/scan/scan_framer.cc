// ScanFramer: prefix / AIM id / label / suffix framing with an idle timeout (scan_framer.h).
#include "loyalty/drivers/scan/scan_framer.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace loyalty::drivers {

namespace {

Error option_error(const std::string& what) {
  return make_error(ErrorCode::invalid_argument, "scan framer options: " + what);
}

}  // namespace

const char* scan_suffix_name(ScanSuffix suffix) {
  switch (suffix) {
    case ScanSuffix::cr:
      return "cr";
    case ScanSuffix::crlf:
      return "crlf";
    case ScanSuffix::lf:
      return "lf";
    case ScanSuffix::tab:
      return "tab";
    case ScanSuffix::none:
      return "none";
  }
  return "unknown";
}

std::string_view scan_suffix_bytes(ScanSuffix suffix) {
  switch (suffix) {
    case ScanSuffix::cr:
      return "\r";
    case ScanSuffix::crlf:
      return "\r\n";
    case ScanSuffix::lf:
      return "\n";
    case ScanSuffix::tab:
      return "\t";
    case ScanSuffix::none:
      return "";
  }
  return "";
}

const char* frame_end_name(FrameEnd end) {
  switch (end) {
    case FrameEnd::suffix:
      return "suffix";
    case FrameEnd::idle:
      return "idle";
    case FrameEnd::flush:
      return "flush";
  }
  return "unknown";
}

Status validate_scan_framer_options(const ScanFramerOptions& options) {
  if (options.prefix.size() > limits::scan_prefix_bytes_max) {
    return option_error("the prefix has " + std::to_string(options.prefix.size()) +
                        " bytes; limits::scan_prefix_bytes_max is " +
                        std::to_string(limits::scan_prefix_bytes_max));
  }
  if (options.prefix.find_first_of(scan_suffix_bytes(options.suffix)) != std::string::npos) {
    return option_error(std::string("the prefix contains a byte of the suffix (") +
                        scan_suffix_name(options.suffix) +
                        "): scans could not be told apart; choose another prefix or suffix");
  }
  if (options.idle_timeout_ms <= 0) {
    return option_error("idle_timeout_ms is " + std::to_string(options.idle_timeout_ms) +
                        "; it must be positive (default " +
                        std::to_string(limits::scan_idle_timeout_ms_default) + ")");
  }
  if (options.label_bytes_max == 0 || options.label_bytes_max > limits::scan_label_bytes_max) {
    return option_error("label_bytes_max is " + std::to_string(options.label_bytes_max) +
                        "; it must be 1.." + std::to_string(limits::scan_label_bytes_max));
  }
  return {};
}

ScanFramer::ScanFramer(ScanFramerOptions options)
    : options_(std::move(options)), suffix_(scan_suffix_bytes(options_.suffix)) {
  LOYALTY_ASSERT(validate_scan_framer_options(options_).ok());
  start_over();
}

void ScanFramer::start_over() {
  state_ = options_.prefix.empty() ? State::in_scan : State::seeking_prefix;
  prefix_seen_.clear();
  body_.clear();
  tail_.clear();
}

void ScanFramer::reset() { start_over(); }

bool ScanFramer::pending() const {
  switch (state_) {
    case State::seeking_prefix:
      return !prefix_seen_.empty();
    case State::in_scan:
      return !body_.empty() || !options_.prefix.empty();
    case State::skipping:
      return true;
  }
  return false;
}

std::optional<std::int64_t> ScanFramer::deadline_ms() const {
  if (!pending()) return std::nullopt;
  if (last_byte_ms_ > std::numeric_limits<std::int64_t>::max() - options_.idle_timeout_ms) {
    return std::numeric_limits<std::int64_t>::max();
  }
  return last_byte_ms_ + options_.idle_timeout_ms;
}

std::vector<Result<ScanFrame>> ScanFramer::feed(std::string_view bytes, std::int64_t now_ms) {
  std::vector<Result<ScanFrame>> out;
  if (bytes.empty()) return out;
  if (auto ended = poll(now_ms)) out.push_back(std::move(*ended));
  last_byte_ms_ = now_ms;
  for (const char c : bytes) {
    if (auto r = push(static_cast<unsigned char>(c))) out.push_back(std::move(*r));
  }
  return out;
}

std::optional<Result<ScanFrame>> ScanFramer::poll(std::int64_t now_ms) {
  const std::optional<std::int64_t> deadline = deadline_ms();
  if (!deadline || now_ms < *deadline) return std::nullopt;
  return end_scan(FrameEnd::idle);
}

std::optional<Result<ScanFrame>> ScanFramer::flush() {
  if (!pending()) return std::nullopt;
  return end_scan(FrameEnd::flush);
}

std::optional<Result<ScanFrame>> ScanFramer::push(unsigned char byte) {
  const char c = static_cast<char>(byte);
  switch (state_) {
    case State::seeking_prefix: {
      prefix_seen_.push_back(c);
      // Drop bytes from the front until what is left could still be the prefix.
      while (!std::string_view(options_.prefix).starts_with(prefix_seen_)) {
        prefix_seen_.erase(0, 1);
        ++counters_.bytes_before_prefix;
      }
      if (prefix_seen_.size() == options_.prefix.size()) {
        prefix_seen_.clear();
        state_ = State::in_scan;
      }
      return std::nullopt;
    }
    case State::in_scan: {
      body_.push_back(c);
      if (!suffix_.empty() && std::string_view(body_).ends_with(suffix_)) {
        return complete(FrameEnd::suffix);
      }
      // The body may hold the AIM id and a partial suffix besides the label.
      const std::size_t allowed = options_.label_bytes_max + (options_.aim_id ? aim_id_bytes : 0) +
                                  (suffix_.empty() ? 0 : suffix_.size() - 1);
      if (body_.size() <= allowed) return std::nullopt;
      ++counters_.overflows;
      counters_.bytes_skipped += body_.size();
      body_.clear();
      state_ = State::skipping;
      return make_error(ErrorCode::limit_exceeded,
                        "scan longer than " + std::to_string(options_.label_bytes_max) +
                            " bytes (limits::scan_label_bytes_max or the scanner's setting): "
                            "dropped up to " +
                            (suffix_.empty() ? std::string("the next pause")
                                             : std::string("its suffix (") +
                                                   scan_suffix_name(options_.suffix) + ")"));
    }
    case State::skipping: {
      ++counters_.bytes_skipped;
      if (suffix_.empty()) return std::nullopt;
      tail_.push_back(c);
      if (tail_.size() > suffix_.size()) tail_.erase(0, 1);
      if (tail_ == suffix_) start_over();
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<Result<ScanFrame>> ScanFramer::end_scan(FrameEnd end) {
  switch (state_) {
    case State::seeking_prefix:
      counters_.bytes_before_prefix += prefix_seen_.size();
      start_over();
      return std::nullopt;
    case State::skipping:
      start_over();
      return std::nullopt;
    case State::in_scan:
      return complete(end);
  }
  return std::nullopt;
}

std::optional<Result<ScanFrame>> ScanFramer::complete(FrameEnd end) {
  ScanFrame frame;
  frame.end = end;
  frame.raw.reserve(options_.prefix.size() + body_.size());
  frame.raw.assign(options_.prefix.begin(), options_.prefix.end());
  frame.raw.insert(frame.raw.end(), body_.begin(), body_.end());
  std::string_view label = body_;
  if (end == FrameEnd::suffix) {
    label.remove_suffix(suffix_.size());
  } else {
    // A scan cut short may end with the start of the suffix (the CR of CR LF): not label data.
    for (std::size_t n = std::min(label.size(), suffix_.size()); n > 0; --n) {
      if (suffix_.starts_with(label.substr(label.size() - n))) {
        label.remove_suffix(n);
        break;
      }
    }
  }
  if (options_.aim_id && !label.empty()) {
    frame.aim = parse_aim_prefix(label);
    if (!frame.aim) {
      ++counters_.missing_aim;
      start_over();
      return make_error(ErrorCode::invalid_argument,
                        "scan without the AIM id the framer expects (\"]\" + symbology + "
                        "modifier): dropped; set the scanner to transmit AIM ids, or turn the "
                        "framer's aim_id option off");
    }
    label.remove_prefix(aim_id_bytes);
  }
  if (label.empty()) {
    ++counters_.empty_frames;
    start_over();
    return std::nullopt;
  }
  if (label.size() > options_.label_bytes_max) {
    // Only when a scan cut short kept a partial suffix that turned out to be label data.
    ++counters_.overflows;
    start_over();
    return make_error(ErrorCode::limit_exceeded,
                      "scan longer than " + std::to_string(options_.label_bytes_max) +
                          " bytes (limits::scan_label_bytes_max or the scanner's setting): "
                          "dropped");
  }
  frame.label = std::string(label);
  ++counters_.frames;
  start_over();
  return frame;
}

}  // namespace loyalty::drivers
