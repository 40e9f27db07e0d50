// The HID report descriptor parser (HID 1.11, section 6.2.2): items to reports and fields.
#include "loyalty/drivers/hid/hid_descriptor.h"

#include <array>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"

namespace loyalty::drivers {

namespace {

enum class ItemType : std::uint8_t { main = 0, global = 1, local = 2, reserved = 3 };

constexpr std::uint8_t kLongItemPrefix = 0xFE;

// Main item tags.
constexpr std::uint8_t kInput = 0x8, kOutput = 0x9, kCollection = 0xA, kFeature = 0xB,
                       kEndCollection = 0xC;
// Global item tags.
constexpr std::uint8_t kUsagePage = 0x0, kLogicalMin = 0x1, kLogicalMax = 0x2, kReportSize = 0x7,
                       kReportId = 0x8, kReportCount = 0x9, kPush = 0xA, kPop = 0xB;
// Local item tags.
constexpr std::uint8_t kUsage = 0x0, kUsageMin = 0x1, kUsageMax = 0x2, kDelimiter = 0xA;

struct Item {
  std::size_t offset = 0;  // of the prefix byte
  ItemType type = ItemType::main;
  std::uint8_t tag = 0;
  std::uint8_t size = 0;  // data bytes: 0, 1, 2 or 4
  std::uint32_t data = 0;

  std::int64_t signed_data() const {
    switch (size) {
      case 1:
        return static_cast<std::int8_t>(data);
      case 2:
        return static_cast<std::int16_t>(data);
      case 4:
        return static_cast<std::int32_t>(data);
      default:
        return 0;
    }
  }
};

struct Global {
  std::uint16_t usage_page = 0;
  Item logical_min;
  Item logical_max;
  std::uint32_t report_size = 0;
  std::uint32_t report_count = 0;
  std::uint8_t report_id = 0;
};

// A Usage or Usage Minimum/Maximum awaiting its Main item. `extended`: 4-byte, page included.
struct PendingUsage {
  std::uint32_t value = 0;
  bool extended = false;
};

struct Local {
  std::vector<HidUsageRange> ranges;
  std::vector<bool> extended;  // per range
  std::optional<PendingUsage> usage_min;
  std::optional<PendingUsage> usage_max;
  bool in_delimiter = false;
  bool delimiter_taken = false;  // the first usage of the open delimiter set was kept
};

Error descriptor_error(ErrorCode code, std::size_t offset, const std::string& what) {
  return make_error(code, "HID report descriptor, item at byte " + std::to_string(offset) + ": " +
                              what + "; the device's descriptor is malformed or not supported");
}

class Parser {
 public:
  explicit Parser(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  Result<HidReportDescriptor> run();

 private:
  Result<std::optional<Item>> next_item();
  Status on_main(const Item& item);
  Status on_global(const Item& item);
  Status on_local(const Item& item);
  Status on_data_item(const Item& item, HidReportType type);
  Status on_collection(const Item& item);
  Status add_usage(const Item& item, std::uint32_t first, std::uint32_t last, bool extended);
  Status flush_usage_range(const Item& item);
  Result<std::vector<HidUsageRange>> resolve_usages(const Item& item) const;
  HidReport& report_for(HidReportType type, std::uint8_t id);

  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  Global global_;
  std::vector<Global> stack_;
  Local local_;
  std::vector<HidCollectionRef> collections_;
  HidReportDescriptor out_;
  bool saw_numbered_ = false;
  bool saw_unnumbered_ = false;
};

Result<std::optional<Item>> Parser::next_item() {
  if (pos_ >= bytes_.size()) return std::optional<Item>{};
  Item item;
  item.offset = pos_;
  const std::uint8_t prefix = bytes_[pos_];
  if (prefix == kLongItemPrefix) {
    // Long item: prefix, bDataSize, bLongItemTag, data. No long item tags are defined: skip it.
    if (pos_ + 3 > bytes_.size()) {
      return descriptor_error(ErrorCode::invalid_argument, pos_, "long item header truncated");
    }
    const std::size_t total = 3 + static_cast<std::size_t>(bytes_[pos_ + 1]);
    if (pos_ + total > bytes_.size()) {
      return descriptor_error(ErrorCode::invalid_argument, pos_,
                              "long item of " + std::to_string(total) + " bytes truncated");
    }
    pos_ += total;
    item.type = ItemType::reserved;
    item.tag = 0xFF;
    return std::optional<Item>{item};
  }
  static constexpr std::array<std::uint8_t, 4> kSizes = {0, 1, 2, 4};
  item.size = kSizes[prefix & 0x3];
  item.type = static_cast<ItemType>((prefix >> 2) & 0x3);
  item.tag = static_cast<std::uint8_t>(prefix >> 4);
  if (pos_ + 1 + item.size > bytes_.size()) {
    return descriptor_error(ErrorCode::invalid_argument, pos_,
                            "item needs " + std::to_string(item.size) +
                                " data bytes but the descriptor ends first (truncated)");
  }
  for (std::uint8_t i = 0; i < item.size; ++i) {
    item.data |= static_cast<std::uint32_t>(bytes_[pos_ + 1 + i]) << (8 * i);
  }
  pos_ += 1 + item.size;
  return std::optional<Item>{item};
}

Result<HidReportDescriptor> Parser::run() {
  if (bytes_.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "HID report descriptor is empty; the device did not describe its reports");
  }
  if (bytes_.size() > limits::hid_report_descriptor_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      "HID report descriptor of " + std::to_string(bytes_.size()) +
                          " bytes is above the limit of " +
                          std::to_string(limits::hid_report_descriptor_bytes_max));
  }
  // Every item takes at least one byte, so the loop ends within bytes_.size() rounds.
  for (std::size_t round = 0; round <= bytes_.size(); ++round) {
    auto item = TRY(next_item());
    if (!item) break;
    switch (item->type) {
      case ItemType::main:
        TRY(on_main(*item));
        break;
      case ItemType::global:
        TRY(on_global(*item));
        break;
      case ItemType::local:
        TRY(on_local(*item));
        break;
      case ItemType::reserved:
        break;  // long items and the reserved type carry nothing a parser can use
    }
  }
  LOYALTY_ASSERT(pos_ == bytes_.size());
  if (!collections_.empty()) {
    return descriptor_error(ErrorCode::invalid_argument, bytes_.size(),
                            std::to_string(collections_.size()) +
                                " Collection(s) not closed by End Collection at the end");
  }
  if (saw_numbered_ && saw_unnumbered_) {
    return descriptor_error(ErrorCode::invalid_argument, bytes_.size(),
                            "some reports have a Report ID and others none (HID 1.11, 6.2.2.7: "
                            "once one report is numbered all must be)");
  }
  return std::move(out_);
}

Status Parser::on_main(const Item& item) {
  Status status;
  switch (item.tag) {
    case kInput:
      status = on_data_item(item, HidReportType::input);
      break;
    case kOutput:
      status = on_data_item(item, HidReportType::output);
      break;
    case kFeature:
      status = on_data_item(item, HidReportType::feature);
      break;
    case kCollection:
      status = on_collection(item);
      break;
    case kEndCollection:
      if (collections_.empty()) {
        return descriptor_error(ErrorCode::invalid_argument, item.offset,
                                "End Collection without an open Collection");
      }
      collections_.pop_back();
      break;
    default:
      break;  // reserved Main tags: nothing to lay out
  }
  local_ = Local{};  // Local items apply to the next Main item only
  return status;
}

Status Parser::on_collection(const Item& item) {
  if (collections_.size() >= limits::hid_collection_depth_max) {
    return descriptor_error(
        ErrorCode::limit_exceeded, item.offset,
        "Collections nested deeper than " + std::to_string(limits::hid_collection_depth_max));
  }
  const auto usages = TRY(resolve_usages(item));
  HidCollectionRef ref{usages.empty() ? 0 : usages.front().first,
                       static_cast<std::uint8_t>(item.data & 0xFF)};
  if (collections_.empty()) out_.applications.push_back(ref);
  collections_.push_back(ref);
  return {};
}

Status Parser::on_data_item(const Item& item, HidReportType type) {
  const auto usages = TRY(resolve_usages(item));
  const std::uint64_t bits = static_cast<std::uint64_t>(global_.report_size) * global_.report_count;
  if (bits == 0) return {};  // nothing in the report (a zero Report Size or Count)
  if (global_.report_id != 0) {
    saw_numbered_ = true;
  } else {
    saw_unnumbered_ = true;
  }
  HidReport& report = report_for(type, global_.report_id);
  const std::uint64_t id_bits = global_.report_id != 0 ? 8 : 0;
  const std::uint64_t bits_max = static_cast<std::uint64_t>(limits::hid_report_bytes_max) * 8;
  if (report.bits + bits + id_bits > bits_max) {
    return descriptor_error(
        ErrorCode::limit_exceeded, item.offset,
        std::string(hid_report_type_name(type)) + " report " + std::to_string(global_.report_id) +
            " grows to " + std::to_string((report.bits + bits + id_bits + 7) / 8) +
            " bytes, above the limit of " + std::to_string(limits::hid_report_bytes_max));
  }
  HidField field;
  field.bit_offset = report.bits;
  field.bit_size = global_.report_size;
  field.count = global_.report_count;
  field.flags = item.data;
  field.usage_page = global_.usage_page;
  field.logical_min = global_.logical_min.signed_data();
  field.logical_max = field.logical_min < 0 ? global_.logical_max.signed_data()
                                            : static_cast<std::int64_t>(global_.logical_max.data);
  field.usages = usages;
  field.collections = collections_;
  report.bits += static_cast<std::uint32_t>(bits);
  report.fields.push_back(std::move(field));
  return {};
}

HidReport& Parser::report_for(HidReportType type, std::uint8_t id) {
  for (auto& report : out_.reports) {
    if (report.type == type && report.id == id) return report;
  }
  // At most 3 types x 256 ids, so this vector stays small.
  out_.reports.push_back(HidReport{type, id, 0, {}});
  return out_.reports.back();
}

Status Parser::on_global(const Item& item) {
  switch (item.tag) {
    case kUsagePage:
      if (item.data > 0xFFFF) {
        return descriptor_error(ErrorCode::invalid_argument, item.offset,
                                "Usage Page " + std::to_string(item.data) + " exceeds 16 bits");
      }
      global_.usage_page = static_cast<std::uint16_t>(item.data);
      return {};
    case kLogicalMin:
      global_.logical_min = item;
      return {};
    case kLogicalMax:
      global_.logical_max = item;
      return {};
    case kReportSize:
      if (item.data > limits::hid_report_size_bits_max) {
        return descriptor_error(ErrorCode::limit_exceeded, item.offset,
                                "Report Size " + std::to_string(item.data) +
                                    " bits is above the limit of " +
                                    std::to_string(limits::hid_report_size_bits_max));
      }
      global_.report_size = item.data;
      return {};
    case kReportId:
      if (item.data == 0 || item.data > 0xFF) {
        return descriptor_error(
            ErrorCode::invalid_argument, item.offset,
            "Report ID " + std::to_string(item.data) + " is invalid (1 to 255; 0 is reserved)");
      }
      global_.report_id = static_cast<std::uint8_t>(item.data);
      return {};
    case kReportCount:
      global_.report_count = item.data;
      return {};
    case kPush:
      if (stack_.size() >= limits::hid_global_stack_depth_max) {
        return descriptor_error(
            ErrorCode::limit_exceeded, item.offset,
            "Push beyond a depth of " + std::to_string(limits::hid_global_stack_depth_max));
      }
      stack_.push_back(global_);
      return {};
    case kPop:
      if (stack_.empty()) {
        return descriptor_error(ErrorCode::invalid_argument, item.offset, "Pop without a Push");
      }
      global_ = stack_.back();
      stack_.pop_back();
      return {};
    case 0x3:  // Physical Minimum
    case 0x4:  // Physical Maximum
    case 0x5:  // Unit Exponent
    case 0x6:  // Unit
      return {};
    default:
      return descriptor_error(ErrorCode::invalid_argument, item.offset,
                              "reserved Global item tag " + std::to_string(item.tag));
  }
}

Status Parser::add_usage(const Item& item, std::uint32_t first, std::uint32_t last, bool extended) {
  if (local_.in_delimiter) {
    // Only the first usage of a Delimiter set is kept (the alternatives name the same control).
    if (local_.delimiter_taken) return {};
    local_.delimiter_taken = true;
  }
  if (local_.ranges.size() >= limits::hid_local_usages_max) {
    return descriptor_error(ErrorCode::limit_exceeded, item.offset,
                            "more than " + std::to_string(limits::hid_local_usages_max) +
                                " Usages before one Main item");
  }
  local_.ranges.push_back(HidUsageRange{first, last});
  local_.extended.push_back(extended);
  return {};
}

// Once both ends of a Usage Minimum/Maximum pair are known, they become one range.
Status Parser::flush_usage_range(const Item& item) {
  if (!local_.usage_min || !local_.usage_max) return {};
  auto min = *local_.usage_min;
  auto max = *local_.usage_max;
  local_.usage_min.reset();
  local_.usage_max.reset();
  // HID 1.11 6.2.2.8: both ends are on one page; an extended end gives its page to the other.
  bool extended = min.extended || max.extended;
  if (min.extended && !max.extended) max.value = (min.value & 0xFFFF0000u) | (max.value & 0xFFFF);
  if (max.extended && !min.extended) min.value = (max.value & 0xFFFF0000u) | (min.value & 0xFFFF);
  if (min.value > max.value) {
    return descriptor_error(ErrorCode::invalid_argument, item.offset,
                            "Usage Minimum " + std::to_string(min.value) + " above Usage Maximum " +
                                std::to_string(max.value));
  }
  return add_usage(item, min.value, max.value, extended);
}

Status Parser::on_local(const Item& item) {
  const bool extended = item.size == 4;
  switch (item.tag) {
    case kUsage:
      return add_usage(item, item.data, item.data, extended);
    case kUsageMin:
      local_.usage_min = PendingUsage{item.data, extended};
      return flush_usage_range(item);
    case kUsageMax:
      local_.usage_max = PendingUsage{item.data, extended};
      return flush_usage_range(item);
    case kDelimiter:
      if (item.data == 1) {
        if (local_.in_delimiter) {
          return descriptor_error(ErrorCode::invalid_argument, item.offset,
                                  "Delimiter set opened inside another");
        }
        local_.in_delimiter = true;
        local_.delimiter_taken = false;
        return {};
      }
      if (!local_.in_delimiter) {
        return descriptor_error(ErrorCode::invalid_argument, item.offset,
                                "Delimiter close without an open set");
      }
      local_.in_delimiter = false;
      return {};
    default:
      return {};  // designators and strings do not change the layout
  }
}

// The queued usages with the Usage Page current at this Main item.
Result<std::vector<HidUsageRange>> Parser::resolve_usages(const Item& item) const {
  if (local_.usage_min || local_.usage_max) {
    return descriptor_error(ErrorCode::invalid_argument, item.offset,
                            "Usage Minimum without Usage Maximum (or the reverse) before this "
                            "Main item");
  }
  if (local_.in_delimiter) {
    return descriptor_error(ErrorCode::invalid_argument, item.offset,
                            "Delimiter set still open at a Main item");
  }
  std::vector<HidUsageRange> out = local_.ranges;
  const std::uint32_t page = static_cast<std::uint32_t>(global_.usage_page) << 16;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (local_.extended[i]) continue;
    out[i].first = page | (out[i].first & 0xFFFF);
    out[i].last = page | (out[i].last & 0xFFFF);
  }
  return out;
}

}  // namespace

Result<HidReportDescriptor> parse_hid_report_descriptor(std::span<const std::uint8_t> bytes) {
  Parser parser(bytes);
  return parser.run();
}

}  // namespace loyalty::drivers
