// read_linear and read_matrix (camera/zxing_reader.h).
#define ZX_USE_UTF8
#include "camera/zxing_reader.h"

#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>

#include <exception>
#include <string>

#include "loyalty/core/limits.h"

namespace loyalty::drivers::detail {

namespace {

ZXing::DecodeHints hints_for(int formats, std::size_t symbols_max, const PassHints& pass) {
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormats(static_cast<ZXing::BarcodeFormat>(formats)))
      .setTryHarder(pass.try_harder)
      .setTryRotate(pass.try_rotate)
      .setBinarizer(pass.binarizer)
      .setMaxNumberOfSymbols(static_cast<std::uint8_t>(symbols_max))
      .setEanAddOnSymbol(ZXing::EanAddOnSymbol::Ignore)
      .setReturnErrors(false);
  return hints;
}

Result<ZXing::Results> read(const GreyFrame& frame, const ZXing::DecodeHints& hints) {
  const ZXing::ImageView view(frame.pixels.data(), frame.width, frame.height,
                              ZXing::ImageFormat::Lum, frame.row_stride);
  try {
    return ZXing::ReadBarcodes(view, hints);
  } catch (const std::exception& e) {  // no exception crosses drivers
    return make_error(ErrorCode::internal, std::string("ZXing failed on this frame: ") + e.what());
  }
}

}  // namespace

Result<ZXing::Results> read_linear(const GreyFrame& frame, int linear_formats,
                                   const PassHints& hints) {
  LOYALTY_ASSERT(linear_formats != 0 && (linear_formats & ~kLinearFormats) == 0);
  // One symbol: the pass stops at the first, so ZXing never compares two linear results.
  return read(frame, hints_for(linear_formats, 1, hints));
}

Result<ZXing::Results> read_matrix(const GreyFrame& frame, int matrix_formats,
                                   std::size_t symbols_max, const PassHints& hints) {
  LOYALTY_ASSERT(matrix_formats != 0 && (matrix_formats & ~kMatrixFormats) == 0);
  LOYALTY_ASSERT(symbols_max >= 1 && symbols_max <= limits::image_symbols_max);
  return read(frame, hints_for(matrix_formats, symbols_max, hints));
}

}  // namespace loyalty::drivers::detail
