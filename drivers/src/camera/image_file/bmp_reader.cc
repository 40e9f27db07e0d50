// read_bmp (image_readers.h): Windows and OS/2 bitmaps, uncompressed. No Debian library reads
// BMP from memory on its own (the ones that do are whole image toolkits), and the uncompressed
// format is a header and rows of pixels, so it is read here with every offset checked.
//
// Taken: the OS/2 core header (12 bytes) and the Windows headers of 40, 52, 56, 108 and 124
// bytes; 1, 4 and 8 bits through a palette, 16 and 32 bits through bit masks (BI_BITFIELDS,
// BI_ALPHABITFIELDS, or the defaults 5-5-5 and 8-8-8), 24 bits as BGR; bottom-up and top-down
// rows. An alpha mask makes pixels transparent over white, unless every pixel's alpha is 0 (a
// writer that left the channel empty). Refused, with the reason: RLE, JPEG and PNG compression.
#include <array>
#include <string>
#include <vector>

#include "camera/image_file/image_readers.h"

namespace loyalty::drivers::detail {

namespace {

constexpr char kKind[] = "BMP";
constexpr std::size_t kFileHeaderBytes = 14;

enum Compression : std::uint32_t {
  bi_rgb = 0,
  bi_rle8 = 1,
  bi_rle4 = 2,
  bi_bitfields = 3,
  bi_jpeg = 4,
  bi_png = 5,
  bi_alphabitfields = 6
};

std::uint32_t le16(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8);
}
std::uint32_t le32(const std::uint8_t* p) { return le16(p) | (le16(p + 2) << 16); }

// One channel's bit mask: where it is and how wide.
struct Channel {
  std::uint32_t mask = 0;
  int shift = 0;
  std::uint32_t max = 0;  // mask >> shift

  Channel() = default;
  explicit Channel(std::uint32_t m) : mask(m) {
    if (mask == 0) return;
    while (((mask >> shift) & 1u) == 0) ++shift;
    max = mask >> shift;
  }
  unsigned value(std::uint32_t pixel) const {
    if (max == 0) return 0;
    const std::uint64_t v = (pixel & mask) >> shift;  // 64 bits: a 32-bit mask times 255
    return static_cast<unsigned>((v * 255u + max / 2) / max);
  }
};

struct BmpLayout {
  std::int64_t width = 0;
  std::int64_t height = 0;  // rows; top_down when the header's height is negative
  bool top_down = false;
  unsigned bits = 0;
  std::uint32_t compression = bi_rgb;
  std::size_t data_at = 0;
  std::size_t row_bytes = 0;
  std::array<Channel, 4> channels{};                 // red, green, blue, alpha (16 and 32 bits)
  std::vector<std::array<std::uint8_t, 3>> palette;  // r, g, b (1, 4 and 8 bits)
};

bool masks_contiguous(std::uint32_t mask) {
  if (mask == 0) return true;
  while ((mask & 1u) == 0) mask >>= 1;
  return (mask & (mask + 1)) == 0;
}

Status read_masks(std::span<const std::uint8_t> bytes, std::size_t header_bytes, BmpLayout& bmp) {
  const std::size_t dib = kFileHeaderBytes;
  std::array<std::uint32_t, 4> masks{};
  if (bmp.compression == bi_bitfields || bmp.compression == bi_alphabitfields) {
    const std::size_t count = bmp.compression == bi_alphabitfields ? 4 : 3;
    // In the header from 52 bytes on; after a 40-byte header otherwise.
    const std::size_t at = dib + 40;
    if (bytes.size() < at + 4 * count) return corrupt_image(kKind, "the bit masks are cut off");
    for (std::size_t i = 0; i < count; ++i) masks[i] = le32(bytes.data() + at + 4 * i);
    if (header_bytes >= 56 && count == 3) masks[3] = le32(bytes.data() + dib + 52);
  } else if (bmp.bits == 16) {
    masks = {0x7c00, 0x03e0, 0x001f, 0};
  } else if (bmp.bits == 32) {
    masks = {0x00ff0000, 0x0000ff00, 0x000000ff, 0};
    if (header_bytes >= 56) masks[3] = le32(bytes.data() + dib + 52);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    if (!masks_contiguous(masks[i])) return corrupt_image(kKind, "a bit mask has a gap");
    bmp.channels[i] = Channel(masks[i]);
  }
  return {};
}

Status read_palette(std::span<const std::uint8_t> bytes, std::size_t at, std::size_t entry_bytes,
                    std::uint32_t colours_used, BmpLayout& bmp) {
  const std::size_t colours_max = std::size_t{1} << bmp.bits;
  const std::size_t colours = colours_used == 0 ? colours_max : colours_used;
  if (colours > colours_max) {
    return corrupt_image(kKind, std::to_string(colours) + " palette colours for " +
                                    std::to_string(bmp.bits) + " bits per pixel");
  }
  if (at > bytes.size() || (bytes.size() - at) / entry_bytes < colours) {
    return corrupt_image(kKind, "the palette is cut off");
  }
  bmp.palette.resize(colours);
  for (std::size_t i = 0; i < colours; ++i) {
    const std::uint8_t* p = bytes.data() + at + i * entry_bytes;
    bmp.palette[i] = {p[2], p[1], p[0]};
  }
  return {};
}

Status check_compression(const BmpLayout& bmp) {
  switch (bmp.compression) {
    case bi_rgb:
      return {};
    case bi_bitfields:
    case bi_alphabitfields:
      if (bmp.bits == 16 || bmp.bits == 32) return {};
      return corrupt_image(kKind, "bit masks with " + std::to_string(bmp.bits) + " bits per pixel");
    case bi_rle8:
    case bi_rle4:
    case bi_jpeg:
    case bi_png:
      return make_error(ErrorCode::parse_error,
                        "compressed BMP images (RLE, JPEG, PNG) are not supported; save it "
                        "uncompressed or as PNG");
    default:
      return corrupt_image(kKind, "unknown compression " + std::to_string(bmp.compression));
  }
}

Result<BmpLayout> parse_layout(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kFileHeaderBytes + 12) return corrupt_image(kKind, "too short for a header");
  BmpLayout bmp;
  const std::uint8_t* dib = bytes.data() + kFileHeaderBytes;
  const std::uint32_t header_bytes = le32(dib);
  std::uint32_t colours_used = 0;
  std::size_t entry_bytes = 4;
  if (header_bytes == 12) {  // OS/2 BITMAPCOREHEADER
    bmp.width = le16(dib + 4);
    bmp.height = le16(dib + 6);
    if (le16(dib + 8) != 1) return corrupt_image(kKind, "planes is not 1");
    bmp.bits = le16(dib + 10);
    entry_bytes = 3;
  } else if (header_bytes == 40 || header_bytes == 52 || header_bytes == 56 ||
             header_bytes == 108 || header_bytes == 124) {
    if (bytes.size() < kFileHeaderBytes + header_bytes) {
      return corrupt_image(kKind, "too short for a header");
    }
    bmp.width = static_cast<std::int32_t>(le32(dib + 4));
    bmp.height = static_cast<std::int32_t>(le32(dib + 8));
    if (le16(dib + 12) != 1) return corrupt_image(kKind, "planes is not 1");
    bmp.bits = le16(dib + 14);
    bmp.compression = le32(dib + 16);
    colours_used = le32(dib + 32);
  } else {
    return corrupt_image(kKind, "unknown header of " + std::to_string(header_bytes) + " bytes");
  }
  if (bmp.height < 0) {
    bmp.top_down = true;
    bmp.height = -bmp.height;  // from an int32: no overflow in 64 bits
  }
  if (bmp.width < 0) return corrupt_image(kKind, "negative width");
  if (bmp.bits != 1 && bmp.bits != 4 && bmp.bits != 8 && bmp.bits != 16 && bmp.bits != 24 &&
      bmp.bits != 32) {
    return corrupt_image(kKind, std::to_string(bmp.bits) + " bits per pixel");
  }
  TRY(check_compression(bmp));
  TRY(check_image_size(static_cast<std::uint64_t>(bmp.width),
                       static_cast<std::uint64_t>(bmp.height), kKind));
  if (bmp.bits <= 8) {
    std::size_t palette_at = kFileHeaderBytes + header_bytes;
    TRY(read_palette(bytes, palette_at, entry_bytes, colours_used, bmp));
  } else {
    TRY(read_masks(bytes, header_bytes, bmp));
  }
  bmp.data_at = le32(bytes.data() + 10);
  bmp.row_bytes = (static_cast<std::size_t>(bmp.width) * bmp.bits + 31) / 32 * 4;
  const std::size_t rows = static_cast<std::size_t>(bmp.height);
  if (bmp.data_at > bytes.size() || (bytes.size() - bmp.data_at) / bmp.row_bytes < rows) {
    return corrupt_image(kKind, "fewer pixel bytes than the header says");
  }
  return bmp;
}

// The pixel at column x of a row as 8-bit red, green, blue, alpha.
Result<std::array<unsigned, 4>> pixel_at(const BmpLayout& bmp, const std::uint8_t* row,
                                         std::size_t x) {
  if (bmp.bits <= 8) {
    const std::size_t bit = x * bmp.bits;
    const unsigned shift = 8 - bmp.bits - static_cast<unsigned>(bit % 8);
    const std::size_t index = (row[bit / 8] >> shift) & ((1u << bmp.bits) - 1);
    if (index >= bmp.palette.size()) {
      return corrupt_image(kKind, "palette index " + std::to_string(index) + " past the " +
                                      std::to_string(bmp.palette.size()) + " colours");
    }
    const auto& c = bmp.palette[index];
    return std::array<unsigned, 4>{c[0], c[1], c[2], 255};
  }
  if (bmp.bits == 24) {
    const std::uint8_t* p = row + 3 * x;
    return std::array<unsigned, 4>{p[2], p[1], p[0], 255};
  }
  const std::uint32_t value = bmp.bits == 16 ? le16(row + 2 * x) : le32(row + 4 * x);
  const auto& ch = bmp.channels;
  return std::array<unsigned, 4>{ch[0].value(value), ch[1].value(value), ch[2].value(value),
                                 ch[3].max == 0 ? 255u : ch[3].value(value)};
}

}  // namespace

Result<GreyImage> read_bmp(std::span<const std::uint8_t> bytes) {
  const BmpLayout bmp = TRY(parse_layout(bytes));
  const auto width = static_cast<std::size_t>(bmp.width);
  const auto height = static_cast<std::size_t>(bmp.height);
  std::vector<std::uint8_t> grey(width * height);
  std::vector<std::uint8_t> alpha(width * height);
  bool any_alpha = false;
  for (std::size_t y = 0; y < height; ++y) {
    const std::size_t file_row = bmp.top_down ? y : height - 1 - y;
    const std::uint8_t* row = bytes.data() + bmp.data_at + file_row * bmp.row_bytes;
    for (std::size_t x = 0; x < width; ++x) {
      const std::array<unsigned, 4> p = TRY(pixel_at(bmp, row, x));
      grey[y * width + x] = luma_of(p[0], p[1], p[2]);
      alpha[y * width + x] = static_cast<std::uint8_t>(p[3]);
      any_alpha = any_alpha || p[3] != 0;
    }
  }
  if (bmp.channels[3].max != 0 && any_alpha) {
    for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = over_white(grey[i], alpha[i]);
  }
  GreyImage image;
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  image.pixels = std::move(grey);
  return image;
}

}  // namespace loyalty::drivers::detail
