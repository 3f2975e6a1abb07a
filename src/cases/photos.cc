#include "cases/photos.h"

#include <vips/vips.h>

#include <memory>
#include <mutex>

namespace shequ::cases {
namespace {

void InitVips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("shequ") != 0) throw SystemError("libvips failed to start");
    vips_cache_set_max(0);  // every photo is different: caching decoded images only costs memory
  });
}

Status NotAPhoto(std::string en, std::string zh) { return Status::Invalid("photo", {std::move(zh), std::move(en)}); }

struct Unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using Image = std::unique_ptr<VipsImage, Unref>;

// `bytes` shrunk to fit `size` px, upright, as a JPEG without metadata.
Result<std::string> Encode(std::string_view bytes, int size) {
  VipsImage* out = nullptr;
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &out, size, "size", VIPS_SIZE_DOWN,
                            nullptr) != 0) {
    vips_error_clear();
    return NotAPhoto("The image could not be decoded", "图片无法解码");
  }
  Image image(out);
  void* buffer = nullptr;
  size_t length = 0;
  if (vips_jpegsave_buffer(image.get(), &buffer, &length, "Q", 82, "strip", TRUE, nullptr) != 0) {
    vips_error_clear();
    return NotAPhoto("The image could not be re-encoded", "图片无法重新编码");
  }
  std::string jpeg(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return jpeg;
}

}  // namespace

Result<ProcessedPhoto> ProcessPhoto(std::string_view bytes) {
  InitVips();
  if (bytes.empty()) return NotAPhoto("The photo is empty", "照片是空的");
  if (bytes.size() > kMaxPhotoBytes) return NotAPhoto("A photo may be at most 10 MB", "照片不能超过 10 MB");
  const char* loader = vips_foreign_find_load_buffer(bytes.data(), bytes.size());
  std::string_view name = loader ? loader : "";
  if (name != "VipsForeignLoadJpegBuffer" && name != "VipsForeignLoadPngBuffer" && name != "VipsForeignLoadWebpBuffer") {
    vips_error_clear();
    return NotAPhoto("Only JPEG, PNG and WebP photos are accepted", "只接受 JPEG、PNG、WebP 格式的照片");
  }
  // Reading the header alone is cheap: refuse decompression bombs before decoding.
  Image header(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (!header) {
    vips_error_clear();
    return NotAPhoto("The image could not be decoded", "图片无法解码");
  }
  if (static_cast<int64_t>(header->Xsize) * header->Ysize > 50'000'000) {
    return NotAPhoto("The photo has more than 50 megapixels", "照片像素超过 5000 万");
  }
  Result<std::string> image = Encode(bytes, 2048);
  if (!image.ok()) return image.status();
  Result<std::string> thumbnail = Encode(bytes, 320);
  if (!thumbnail.ok()) return thumbnail.status();
  ProcessedPhoto out{std::move(*image), std::move(*thumbnail)};
  Image encoded(vips_image_new_from_buffer(out.image.data(), out.image.size(), "", nullptr));
  if (encoded) {
    out.width = encoded->Xsize;
    out.height = encoded->Ysize;
  }
  return out;
}

}  // namespace shequ::cases
