#pragma once
// Photos of cases: checked by their content (not their name or declared
// type), re-encoded so that no metadata (GPS position, camera, owner) reaches
// anyone who looks at them, and shrunk to a thumbnail for lists.
#include <string>
#include <string_view>

#include "core/status.h"

namespace shequ::cases {

inline constexpr size_t kMaxPhotoBytes = 10 * 1024 * 1024;

struct ProcessedPhoto {
  std::string image, thumbnail;  // JPEG bytes, no metadata
  int width = 0, height = 0;     // of `image`
};

// A JPEG, PNG or WebP of at most kMaxPhotoBytes and 50 megapixels, turned
// upright, at most 2048 px on its longer side, and a 320 px thumbnail.
// Anything else is a validation Status naming the field "photo".
Result<ProcessedPhoto> ProcessPhoto(std::string_view bytes);

}  // namespace shequ::cases
