// The only calls into ZXing-C++ 1.4's decoders, each with hints that keep it away from the
// library's assert()s (Debian builds it with them on, so a failed one aborts the process).
// Internal to drivers.
//
// ReadBarcodes() merges what it finds across its downscaled copies of a large image, and what
// one pass returns, by Result::operator==, which asserts `lineCount() == 1` when it compares two
// linear symbols of equal content that were each seen on several lines (Result.cpp:140): a Code
// 128 photograph of 501x501 pixels or more, read with more than one symbol wanted, aborts. With
// one symbol wanted a pass returns as soon as it holds one, so that comparison never happens:
// linear formats are therefore always read one symbol per pass (read_linear), and matrix formats,
// which operator== compares by position before that assert, in a pass of their own
// (read_matrix), never mixed with linear ones.
#pragma once

#include <ZXing/DecodeHints.h>
#include <ZXing/Result.h>

#include <cstddef>

#include "loyalty/drivers/camera/image_decoder.h"

namespace loyalty::drivers::detail {

// ZXing::BarcodeFormat bits.
inline constexpr int kLinearFormats = static_cast<int>(ZXing::BarcodeFormat::LinearCodes);
inline constexpr int kMatrixFormats = static_cast<int>(ZXing::BarcodeFormat::MatrixCodes);

struct PassHints {
  bool try_harder = false;
  bool try_rotate = false;  // also the frame turned by 90 degrees (linear formats)
  ZXing::Binarizer binarizer = ZXing::Binarizer::LocalAverage;
};

// At most one symbol of `linear_formats` (only linear bits may be set). An exception from ZXing
// (its Aztec detector throws std::out_of_range on some frames; std::bad_alloc) becomes
// ErrorCode::internal, "ZXing failed on this frame: <what>".
Result<ZXing::Results> read_linear(const GreyFrame& frame, int linear_formats,
                                   const PassHints& hints);

// At most `symbols_max` symbols of `matrix_formats` (only matrix bits may be set).
Result<ZXing::Results> read_matrix(const GreyFrame& frame, int matrix_formats,
                                   std::size_t symbols_max, const PassHints& hints);

}  // namespace loyalty::drivers::detail
