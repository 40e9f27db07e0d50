// `loyaltyctl scan --image FILE [--formats LIST]`: decodes the barcodes in an image file (PNG,
// JPEG, WebP, PGM/PPM, BMP) with the drivers' camera path (ZXing), offline, and prints one line per
// symbol: "<type> <aim id> <label>", e.g. "ean13 ]E0 5901234123457". The label is the decoded
// text; a symbol with ECI segments gets a tab and "eci=" with each segment's ECI, character set
// and first byte after it ("qrcode ]Q1 中文ABC-123<TAB>eci=29:GB2312@0,3:ISO-8859-1@4"). Control
// characters (the tab too), the backslash and, in a label that is not UTF-8, every byte above
// 0x7F are written as \xHH (\\ for the backslash), so one symbol is always one line, the tab
// before "eci=" is the only one in it, and the output is text.
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "args/cli_args.h"
#include "commands.h"
#include "loyalty/core/limits.h"
#include "loyalty/drivers/camera/image_decoder.h"

namespace loyalty::cli {

namespace {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    unsigned min = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    }
    if (lead >= 0xc2 && lead <= 0xdf) {
      extra = 1, min = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      extra = 2, min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      extra = 3, min = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    unsigned code = lead & (0x3f >> extra);
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

std::string escaped(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  const bool utf8 = valid_utf8(text);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (byte < 0x20 || byte == 0x7f || (byte >= 0x80 && !utf8)) {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0x0f];
    } else {
      out += c;
    }
  }
  return out;
}

// "\teci=29:GB2312@0,3:ISO-8859-1@4", or nothing for a symbol without ECI.
std::string eci_field(const std::vector<drivers::EciSegment>& ecis) {
  if (ecis.empty()) return "";
  std::string field = "\teci=";
  for (std::size_t i = 0; i < ecis.size(); ++i) {
    if (i > 0) field += ',';
    field += std::to_string(ecis[i].eci) + ':' + drivers::eci_name(ecis[i].eci) + '@' +
             std::to_string(ecis[i].at);
  }
  return field;
}

}  // namespace

Status run_scan(std::span<const std::string_view> args, std::ostream& out) {
  static constexpr FlagSpec flags[] = {{"image", true}, {"formats"}};
  const ParsedArgs parsed = TRY(parse_args("scan", args, flags, {}));
  // Every symbol in the image, not only the first as a camera wants.
  drivers::ImageDecodeOptions options;
  options.set_symbols_max(limits::image_symbols_max);
  if (const std::string* formats = parsed.flag("formats")) {
    auto list = drivers::parse_scan_formats(*formats);
    if (!list.ok()) return usage_error("scan", "--formats: " + list.error().message);
    options.set_formats(std::move(list).value());
  }
  const drivers::ImageDecoder decoder = TRY(drivers::ImageDecoder::create(std::move(options)));
  const std::vector<drivers::DecodedSymbol> symbols =
      TRY(drivers::decode_image_file(*parsed.flag("image"), decoder));
  std::string text;
  for (const drivers::DecodedSymbol& symbol : symbols) {
    text += drivers::scan_data_type_name(symbol.type);
    text += ' ';
    text += symbol.aim_id.empty() ? "-" : escaped(symbol.aim_id);
    text += ' ';
    text += escaped(symbol.label);
    text += eci_field(symbol.ecis);
    text += '\n';
  }
  return write_output(out, text);
}

}  // namespace loyalty::cli
