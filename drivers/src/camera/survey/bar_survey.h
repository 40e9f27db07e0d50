// A cheap look at a frame before any decoder runs: where its strong edges are, and which of them
// line up like the bars of a linear symbol. Internal to drivers.
//
// The frame is cut into blocks of 16x16 pixels. In each block the gradient is sampled at every
// second pixel of every second row (central differences, so edges of bars 2 pixels wide count)
// and summed into the gradient structure tensor J = sum of (gx², gx·gy, gy²). Its trace is the
// block's edge energy; its eigenvectors give the dominant gradient direction (across the bars),
// and (λ1 - λ2) / (λ1 + λ2) how coherent it is: about 1 for parallel bars, near 0 for noise, text
// and the modules of a 2D code.
//
// A block is busy when enough of its samples have a strong gradient (an absolute threshold far
// above camera noise: see bar_survey.cc). A frame without a busy block holds no symbol any
// decoder could read, and costs this survey only: a camera mostly films an empty counter. Busy,
// coherent blocks whose directions agree form bar
// regions (8-connected components), strongest first.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "loyalty/drivers/camera/image_decoder.h"

namespace loyalty::drivers::detail {

// A group of blocks whose gradients agree: a linear symbol, or something that looks like one.
struct BarRegion {
  // Direction across the bars (of the gradient), in radians in (-pi/2, pi/2]: 0 for upright
  // bars, positive when the bars lean clockwise on screen (y grows downwards).
  double across_radians = 0;
  double coherence = 0;  // of the summed tensor, 0..1
  double energy = 0;     // summed edge energy: orders regions, strongest first
  std::size_t blocks = 0;
  // The centres of the region's blocks, in frame pixels (a de-rotated copy covers them).
  std::vector<PixelPoint> block_centres;
};

// A rectangle of frame pixels: x in [x, x + width), y in [y, y + height).
struct PixelBox {
  int x = 0, y = 0, width = 0, height = 0;
};

struct FrameSurvey {
  std::size_t busy_blocks = 0;  // 0: nothing to decode in this frame
  // The busy blocks' bounding box with a margin of kSurveyMarginPixels, within the frame: where
  // the decoders look (the whole frame when it is too small to survey).
  PixelBox busy_box;
  // Where 2D symbols may be: the box of the busy blocks that are incoherent and dense with
  // strong edges, with the margin; nullopt when there are none.
  std::optional<PixelBox> matrix_box;
  std::vector<BarRegion> regions;  // at most limits::image_bar_regions_max, strongest first
};

// Pixels on a side of a survey block, and the margin around the busy blocks (a quiet zone:
// ZXing wants white around a symbol, and the blocks at a symbol's edge may fall short of busy).
inline constexpr int kSurveyBlockPixels = 16;
inline constexpr int kSurveyMarginPixels = 2 * kSurveyBlockPixels;

// The survey of `frame` (check_frame()'d already). Runs in O(pixels / 4).
FrameSurvey survey_frame(const GreyFrame& frame);

}  // namespace loyalty::drivers::detail
