#include "cases/photos.h"

#include <gtest/gtest.h>
#include <vips/vips.h>

namespace shequ::cases {
namespace {

// An image of `width` × `height` saved by libvips in `format` ("jpeg", "png", "webp", "gif"),
// carrying an EXIF artist field when `exif_artist` is given.
std::string MakeImage(int width, int height, const char* format, const char* exif_artist = nullptr) {
  ProcessPhoto("");  // starts libvips
  VipsImage* black = nullptr;
  EXPECT_EQ(vips_black(&black, width, height, "bands", 3, nullptr), 0);
  VipsImage* image = nullptr;
  EXPECT_EQ(vips_linear1(black, &image, 1.0, 128.0, "uchar", TRUE, nullptr), 0);
  g_object_unref(black);
  if (exif_artist) vips_image_set_string(image, "exif-ifd0-Artist", exif_artist);
  void* buffer = nullptr;
  size_t length = 0;
  std::string suffix = std::string(".") + format;
  EXPECT_EQ(vips_image_write_to_buffer(image, suffix.c_str(), &buffer, &length, nullptr), 0) << vips_error_buffer();
  g_object_unref(image);
  std::string bytes(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return bytes;
}

bool IsJpeg(const std::string& bytes) { return bytes.size() > 3 && bytes.compare(0, 3, "\xFF\xD8\xFF") == 0; }

TEST(PhotosTest, JpegPngAndWebpAreAcceptedShrunkAndReencoded) {
  for (const char* format : {"jpeg", "png", "webp"}) {
    Result<ProcessedPhoto> photo = ProcessPhoto(MakeImage(3000, 1000, format));
    ASSERT_TRUE(photo.ok()) << format << ": " << photo.status().message().en;
    EXPECT_EQ(photo->width, 2048) << format;
    EXPECT_EQ(photo->height, 683) << format;
    EXPECT_TRUE(IsJpeg(photo->image)) << format;
    EXPECT_TRUE(IsJpeg(photo->thumbnail)) << format;
    EXPECT_LT(photo->thumbnail.size(), photo->image.size()) << format;
  }
}

TEST(PhotosTest, SmallPhotosAreNotEnlarged) {
  Result<ProcessedPhoto> photo = ProcessPhoto(MakeImage(640, 480, "jpeg"));
  ASSERT_TRUE(photo.ok());
  EXPECT_EQ(photo->width, 640);
  EXPECT_EQ(photo->height, 480);
}

TEST(PhotosTest, MetadataIsRemoved) {
  std::string original = MakeImage(800, 600, "jpeg", "secret-location-31.2N");
  ASSERT_NE(original.find("Exif"), std::string::npos) << "the test image should carry EXIF";
  ASSERT_NE(original.find("secret-location"), std::string::npos);
  Result<ProcessedPhoto> photo = ProcessPhoto(original);
  ASSERT_TRUE(photo.ok());
  for (const std::string* out : {&photo->image, &photo->thumbnail}) {
    EXPECT_EQ(out->find("Exif"), std::string::npos);
    EXPECT_EQ(out->find("secret-location"), std::string::npos);
  }
}

TEST(PhotosTest, FakesAndOtherFormatsAreRefusedNamingThePhotoField) {
  std::string jpeg = MakeImage(100, 100, "jpeg");
  for (const std::string& bytes : {std::string("this is not an image"), MakeImage(100, 100, "gif"),
                                   std::string("\xFF\xD8\xFF\xE0 not really a jpeg"), std::string()}) {
    Result<ProcessedPhoto> photo = ProcessPhoto(bytes);
    ASSERT_FALSE(photo.ok());
    EXPECT_EQ(photo.status().code(), Code::kValidation);
    ASSERT_EQ(photo.status().fields().size(), 1u);
    EXPECT_EQ(photo.status().fields()[0].field, "photo");
    EXPECT_FALSE(photo.status().fields()[0].message.zh.empty());
  }
}

TEST(PhotosTest, MoreThanTenMegabytesIsRefused) {
  std::string big = MakeImage(100, 100, "png");
  big.resize(kMaxPhotoBytes + 1, '\0');
  Result<ProcessedPhoto> photo = ProcessPhoto(big);
  ASSERT_FALSE(photo.ok());
  EXPECT_NE(photo.status().fields()[0].message.en.find("10 MB"), std::string::npos);
}

}  // namespace
}  // namespace shequ::cases
