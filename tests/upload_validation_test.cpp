// The upload pipeline against hostile inputs; every fixture is generated (tests/support/images: TurboJPEG, zlib
// or by hand).
#include "server/upload_validation.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <spng.h>
#include <turbojpeg.h>
#include <webp/decode.h>

#include <algorithm>
#include <cstring>

#include "support/images.h"
#include "util/base64.h"

namespace thumbgen::server {
namespace {

using test::base64;
using test::Bytes;
using test::find_sof;
using test::make_jpeg;
using test::make_png;
using test::make_png_with_idat;
using test::png_raw_image_data;
using test::PngSpec;
using test::text_bytes;
using test::with_jpeg_dimensions;
using test::zlib_compress;

// Inserts an APP1 "Exif" segment with a marker string after SOI.
Bytes with_exif(const Bytes& jpeg, std::string_view marker) {
  std::string payload = "Exif";
  payload += '\0';
  payload += '\0';
  payload += marker;
  const std::size_t length = payload.size() + 2;
  Bytes out = {0xFF, 0xD8, 0xFF, 0xE1, static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
  out.insert(out.end(), payload.begin(), payload.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

// ---- assertions ------------------------------------------------------------------------------------------------

int status_of(const std::variant<ValidatedThumbnail, UploadError>& result) {
  return std::holds_alternative<UploadError>(result) ? std::get<UploadError>(result).http_status : 200;
}
std::string detail_of(const std::variant<ValidatedThumbnail, UploadError>& result) {
  return std::holds_alternative<UploadError>(result) ? std::get<UploadError>(result).detail : "";
}

struct DecodedJpeg {
  int width = 0, height = 0;
  Bytes rgb;
};

DecodedJpeg decode_output(const Bytes& jpeg) {
  DecodedJpeg out;
  tjhandle handle = tjInitDecompress();
  int subsampling = 0, colorspace = 0;
  EXPECT_EQ(tjDecompressHeader3(handle, jpeg.data(), jpeg.size(), &out.width, &out.height, &subsampling, &colorspace),
            0);
  out.rgb.resize(static_cast<std::size_t>(out.width) * out.height * 3);
  EXPECT_EQ(tjDecompress2(handle, jpeg.data(), jpeg.size(), out.rgb.data(), out.width, 0, out.height, TJPF_RGB,
                          TJFLAG_STOPONWARNING),
            0);
  tjDestroy(handle);
  return out;
}

const ValidatedThumbnail& expect_ok(const std::variant<ValidatedThumbnail, UploadError>& result, int width,
                                    int height) {
  static const ValidatedThumbnail kEmpty;
  EXPECT_EQ(status_of(result), 200) << detail_of(result);
  if (!std::holds_alternative<ValidatedThumbnail>(result)) return kEmpty;
  const auto& thumb = std::get<ValidatedThumbnail>(result);
  EXPECT_EQ(thumb.width, width);
  EXPECT_EQ(thumb.height, height);
  EXPECT_GE(thumb.encoded.size(), 3u);
  EXPECT_EQ(thumb.encoded[0], 0xFF);
  EXPECT_EQ(thumb.encoded[1], 0xD8);
  const DecodedJpeg decoded = decode_output(thumb.encoded);
  EXPECT_EQ(decoded.width, width);
  EXPECT_EQ(decoded.height, height);
  // Baseline: the re-encoded output has an SOF0 marker, never SOF2 (progressive).
  EXPECT_EQ(thumb.encoded[find_sof(thumb.encoded) + 1], 0xC0);
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(thumb.encoded.data(), thumb.encoded.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : digest) (hex += kHex[byte >> 4]) += kHex[byte & 15];
  EXPECT_EQ(thumb.sha256_hex, hex);
  return thumb;
}

bool contains(const Bytes& haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

// ---- hostile table ---------------------------------------------------------------------------------------------

struct HostileCase {
  std::string name;
  std::string body;
  int status;
};

std::vector<HostileCase> hostile_cases() {
  const Bytes jpeg = make_jpeg(64, 48);
  const std::string jpeg64 = base64(jpeg);
  const Bytes png = make_png({});
  std::vector<HostileCase> cases;
  auto add = [&](std::string name, std::string body, int status) {
    cases.push_back({std::move(name), std::move(body), status});
  };
  auto add_bytes = [&](std::string name, const Bytes& bytes, int status) {
    add(std::move(name), base64(bytes), status);
  };

  // Base64 layer → 400.
  add("empty", "", 400);
  add("only data prefix", "data:image/png;base64,", 400);
  add("data prefix without comma", "data:image/png;base64", 400);
  add("data prefix not base64", "data:image/png," + jpeg64, 400);
  {
    std::string urlsafe = jpeg64;
    bool changed = false;
    for (char& c : urlsafe) {
      if (c == '+') c = '-', changed = true;
      if (c == '/') c = '_', changed = true;
    }
    EXPECT_TRUE(changed);
    add("urlsafe base64", urlsafe, 400);
  }
  {
    std::string broken;
    for (std::size_t i = 0; i < jpeg64.size(); i += 76) broken += jpeg64.substr(i, 76) + "\r\n";
    add("base64 with CRLF line breaks", broken, 400);
    std::string lf;
    for (std::size_t i = 0; i < jpeg64.size(); i += 76) lf += jpeg64.substr(i, 76) + "\n";
    add("base64 with LF line breaks", lf, 400);
  }
  add("base64 with spaces", jpeg64.substr(0, 40) + " " + jpeg64.substr(40), 400);
  add("base64 with trailing newline", jpeg64 + "\n", 400);
  add("base64 missing padding", base64(text_bytes("ab")).substr(0, 3), 400);
  add("base64 excess padding", base64(Bytes{0xFF, 0xD8, 0xFF, 0xE0}) + "=", 400);
  add("base64 padding in the middle", "AA==AAAA", 400);
  add("trailing garbage after padding", base64(Bytes{0xFF, 0xD8, 0xFF, 0xE0}) + "QUJD", 400);
  add("non-canonical trailing bits", "/9j/4B==", 400);
  add("non-ASCII", jpeg64.substr(0, 8) + "\xc3\xa9" + jpeg64.substr(10), 400);
  add("NUL byte", jpeg64.substr(0, 8) + std::string(1, '\0') + jpeg64.substr(9), 400);

  // Type layer → 415.
  add("data:image/gif prefix", "data:image/gif;base64," + jpeg64, 415);
  add("data:text/html prefix", "data:text/html;base64," + jpeg64, 415);
  add("data:image/svg+xml prefix", "data:image/svg+xml;base64," + jpeg64, 415);
  add_bytes("GIF", text_bytes("GIF89a\x01\x00\x01\x00\x80\x00\x00"), 415);
  add_bytes("SVG", text_bytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"), 415);
  add_bytes("HTML", text_bytes("<!DOCTYPE html><html><script>alert(1)</script></html>"), 415);
  add_bytes("WebP", text_bytes(std::string("RIFF\x24\x00\x00\x00WEBPVP8 ", 16)), 415);
  add_bytes("ELF", Bytes{0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 415);
  add_bytes("BMP", text_bytes(std::string("BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00", 14)), 415);
  add_bytes("PDF", text_bytes("%PDF-1.7\n"), 415);
  add_bytes("two bytes of JPEG magic", Bytes{0xFF, 0xD8}, 415);
  add_bytes("PNG signature missing a byte", Bytes(png.begin(), png.begin() + 7), 415);
  add_bytes(
      "JPEG behind a UTF-8 BOM",
      [&] {
        Bytes bom = {0xEF, 0xBB, 0xBF};
        bom.insert(bom.end(), jpeg.begin(), jpeg.end());
        return bom;
      }(),
      415);

  // Dimensions → 413 (too large) or 422 (zero).
  add_bytes("JPEG huge declared dimensions", with_jpeg_dimensions(jpeg, 60000, 60000), 413);
  add_bytes("JPEG 2049x10", make_jpeg(2049, 10), 413);
  add_bytes("JPEG 10x2049", make_jpeg(10, 2049), 413);
  add_bytes("JPEG zero height", with_jpeg_dimensions(jpeg, 64, 0), 422);
  add_bytes("PNG decompression bomb (100000x100000, tiny IDAT)",
            make_png_with_idat({.width = 100000, .height = 100000}, zlib_compress(Bytes(1024, 0))), 413);
  add_bytes("PNG 5000x10", make_png({.width = 5000, .height = 10}), 413);
  add_bytes("PNG 0x0", make_png_with_idat({.width = 0, .height = 0}, zlib_compress({})), 422);
  add_bytes("PNG 1x0", make_png_with_idat({.width = 1, .height = 0}, zlib_compress({})), 422);
  add_bytes("PNG width 2^31", make_png_with_idat({.width = 0x80000000u, .height = 1}, zlib_compress({})), 422);

  // Corrupt content → 422.
  add_bytes("JPEG magic only", Bytes{0xFF, 0xD8, 0xFF}, 422);
  add_bytes("truncated JPEG", Bytes(jpeg.begin(), jpeg.begin() + jpeg.size() / 2), 422);
  add_bytes("JPEG without EOI", Bytes(jpeg.begin(), jpeg.end() - 2), 422);
  {
    Bytes polyglot = {0xFF, 0xD8, 0xFF, 0xE0};
    const std::string html = "<html><script>alert(document.cookie)</script></html>";
    polyglot.insert(polyglot.end(), html.begin(), html.end());
    add_bytes("polyglot: JPEG magic then HTML", polyglot, 422);
  }
  add_bytes("CMYK JPEG", make_jpeg(32, 32, {.subsampling = TJSAMP_444, .pixel_format = TJPF_CMYK}), 422);
  add_bytes("truncated PNG", Bytes(png.begin(), png.begin() + png.size() / 2), 422);
  add_bytes("PNG without IDAT", Bytes(png.begin(), png.begin() + 33), 422);
  add_bytes("PNG bad IHDR CRC", make_png({.bad_ihdr_crc = true}), 422);
  add_bytes("PNG bad IDAT CRC", make_png({.bad_idat_crc = true}), 422);
  {
    PngSpec spec;
    spec.extra_chunks.push_back({"tEXt", text_bytes(std::string("Comment\0hello", 13))});
    Bytes bad = make_png(spec);
    bad[33 + 8 + 13] ^= 0xFF;  // inside tEXt's CRC
    add_bytes("PNG bad ancillary CRC", bad, 422);
  }
  {
    Bytes idat = zlib_compress(png_raw_image_data({}));
    idat[idat.size() - 1] ^= 0xFF;  // Adler-32
    add_bytes("PNG bad zlib checksum", make_png_with_idat({}, idat), 422);
  }
  add_bytes("PNG IDAT too short", make_png_with_idat({}, zlib_compress(Bytes(10, 0))), 422);
  add_bytes("PNG IDAT not zlib", make_png_with_idat({}, text_bytes("<html>not zlib</html>")), 422);
  add_bytes(
      "PNG bad filter type",
      [] {
        PngSpec spec;
        Bytes raw = png_raw_image_data(spec);
        raw[0] = 9;
        return make_png_with_idat(spec, zlib_compress(raw));
      }(),
      422);
  add_bytes("PNG bad bit depth", make_png_with_idat({.bit_depth = 7}, zlib_compress(Bytes(100, 0))), 422);
  add_bytes("PNG palette without PLTE", make_png({.color_type = 3}), 422);
  add_bytes("PNG without IEND", make_png({.omit_iend = true}), 422);
  add_bytes(
      "PNG chunk length beyond the file",
      [&] {
        Bytes bad = png;
        bad[33] = 0x7F;  // IDAT length high byte
        return bad;
      }(),
      422);
  add_bytes("PNG IHDR with bad CRC and huge dimensions",
            make_png_with_idat({.width = 100000, .height = 100000, .bad_ihdr_crc = true}, zlib_compress(Bytes(16, 0))),
            422);
  return cases;
}

TEST(UploadValidationTest, HostileInputsGetTheirStatus) {
  const auto cases = hostile_cases();
  EXPECT_GE(cases.size(), 30u);
  for (const auto& test : cases) {
    const auto result = validate_thumbnail_upload(test.body);
    EXPECT_EQ(status_of(result), test.status) << test.name << ": " << detail_of(result);
  }
}

TEST(UploadValidationTest, ErrorTexts) {
  EXPECT_EQ(detail_of(validate_thumbnail_upload("AAA")), "Invalid base64 data");
  EXPECT_EQ(detail_of(validate_thumbnail_upload(base64(text_bytes("GIF89a")))),
            "Unsupported image type: only JPEG and PNG are accepted");
  EXPECT_EQ(detail_of(validate_thumbnail_upload(base64(make_jpeg(2049, 8)))),
            "Image too large: 2049x8 exceeds 2048x2048");
  EXPECT_TRUE(detail_of(validate_thumbnail_upload(base64(Bytes{0xFF, 0xD8, 0xFF}))).starts_with("Corrupt image: "));
  // Refused from the header alone: the data behind these is a 64x48 scan and 1 KiB of zeros, which a decode would
  // have found corrupt (422) long before the declared size mattered. (bench/upload_times.cpp times them.)
  EXPECT_EQ(detail_of(validate_thumbnail_upload(base64(with_jpeg_dimensions(make_jpeg(64, 48), 60000, 60000)))),
            "Image too large: 60000x60000 exceeds 2048x2048");
  EXPECT_EQ(detail_of(validate_thumbnail_upload(
                base64(make_png_with_idat({.width = 100000, .height = 100000}, zlib_compress(Bytes(1024, 0)))))),
            "Image too large: 100000x100000 exceeds 2048x2048");
}

TEST(UploadValidationTest, OversizedTextRejectedBeforeDecoding) {
  UploadLimits limits;
  limits.max_base64_chars = 1000;
  EXPECT_EQ(status_of(validate_thumbnail_upload(std::string(1001, '!'), limits)), 413);  // invalid base64, still 413
  EXPECT_EQ(status_of(validate_thumbnail_upload(std::string(1000, '!'), limits)), 400);
  // The default limit is what the HTTP layer relies on.
  EXPECT_EQ(status_of(validate_thumbnail_upload(std::string(22 * 1024 * 1024 + 1, 'A'))), 413);
}

TEST(UploadValidationTest, ValidSmallJpegKeepsDimensions) {
  const auto result = validate_thumbnail_upload(base64(make_jpeg(64, 48)));
  expect_ok(result, 64, 48);
}

TEST(UploadValidationTest, DataUrlPrefixesAccepted) {
  expect_ok(validate_thumbnail_upload("data:image/jpeg;base64," + base64(make_jpeg(16, 16))), 16, 16);
  expect_ok(validate_thumbnail_upload("data:image/png;base64," + base64(make_png({}))), 8, 8);
  // A prefix naming the other accepted type is fine: the bytes decide.
  expect_ok(validate_thumbnail_upload("data:image/png;base64," + base64(make_jpeg(16, 16))), 16, 16);
}

TEST(UploadValidationTest, ProgressiveGrayscaleAndSubsampledJpegs) {
  expect_ok(validate_thumbnail_upload(base64(make_jpeg(100, 60, {.flags = TJFLAG_PROGRESSIVE}))), 100, 60);
  expect_ok(validate_thumbnail_upload(base64(make_jpeg(33, 17, {.subsampling = TJSAMP_GRAY}))), 33, 17);
  expect_ok(validate_thumbnail_upload(base64(make_jpeg(33, 17, {.subsampling = TJSAMP_444}))), 33, 17);
  expect_ok(validate_thumbnail_upload(base64(make_jpeg(1, 1))), 1, 1);
}

TEST(UploadValidationTest, Jpeg2048SquareAccepted) {
  expect_ok(validate_thumbnail_upload(base64(make_jpeg(2048, 2048))), 2048, 2048);
}

TEST(UploadValidationTest, MetadataAndAppendedPayloadsAreStripped) {
  Bytes jpeg = with_exif(make_jpeg(32, 32), "SECRET-GPS-DATA");
  const std::string html = "<html><script>alert(1)</script></html>";
  jpeg.insert(jpeg.end(), html.begin(), html.end());  // polyglot: valid JPEG, then HTML after EOI
  const auto result = validate_thumbnail_upload(base64(jpeg));
  const auto& thumb = expect_ok(result, 32, 32);
  EXPECT_FALSE(contains(thumb.encoded, "SECRET-GPS-DATA"));
  EXPECT_FALSE(contains(thumb.encoded, "Exif"));
  EXPECT_FALSE(contains(thumb.encoded, "<script"));
}

TEST(UploadValidationTest, PngWithAlphaIsCompositedOverBlack) {
  PngSpec spec{.width = 4, .height = 4, .color_type = 6};
  spec.sample = [](std::uint32_t x, std::uint32_t, int channel) -> std::uint16_t {
    if (channel == 3) return x < 2 ? 0 : 255;  // left half transparent
    return 255;                                // white
  };
  const auto result = validate_thumbnail_upload(base64(make_png(spec)));
  const auto& thumb = expect_ok(result, 4, 4);
  const DecodedJpeg decoded = decode_output(thumb.encoded);
  ASSERT_EQ(decoded.rgb.size(), 4u * 4 * 3);
  EXPECT_LT(decoded.rgb[0], 40);                 // transparent → black
  EXPECT_GT(decoded.rgb[(4 * 2 + 3) * 3], 215);  // opaque white stays white
}

// The output format is the server's (THUMBGEN_THUMBNAIL_FORMAT): PNG keeps transparency, lossless.
TEST(UploadValidationTest, PngOutputKeepsAlphaAndPixels) {
  PngSpec spec{.width = 4, .height = 4, .color_type = 6};
  spec.sample = [](std::uint32_t x, std::uint32_t, int channel) -> std::uint16_t {
    if (channel == 3) return x < 2 ? 0 : 255;
    return channel == 0 ? 200 : 10;
  };
  const auto result =
      validate_thumbnail_upload(base64(make_png(spec)), UploadLimits{.format = ThumbnailFormat::Png, .quality = 85});
  ASSERT_EQ(status_of(result), 200) << detail_of(result);
  const auto& thumb = std::get<ValidatedThumbnail>(result);
  EXPECT_EQ(thumb.format, ThumbnailFormat::Png);
  ASSERT_GE(thumb.encoded.size(), 8u);
  EXPECT_EQ(thumb.encoded[1], 'P');
  spng_ctx* ctx = spng_ctx_new(0);
  spng_set_png_buffer(ctx, thumb.encoded.data(), thumb.encoded.size());
  std::vector<std::uint8_t> rgba(4 * 4 * 4);
  ASSERT_EQ(spng_decode_image(ctx, rgba.data(), rgba.size(), SPNG_FMT_RGBA8, 0), 0);
  spng_ctx_free(ctx);
  EXPECT_EQ(rgba[3], 0);              // transparent stays transparent
  EXPECT_EQ(rgba[(2) * 4 + 0], 200);  // lossless
  EXPECT_EQ(rgba[(2) * 4 + 3], 255);
}

TEST(UploadValidationTest, WebpOutputIsWebp) {
  const auto result = validate_thumbnail_upload(base64(make_jpeg(32, 24)),
                                                UploadLimits{.format = ThumbnailFormat::Webp, .quality = 60});
  ASSERT_EQ(status_of(result), 200) << detail_of(result);
  const auto& thumb = std::get<ValidatedThumbnail>(result);
  EXPECT_EQ(thumb.width, 32);
  EXPECT_EQ(thumb.format, ThumbnailFormat::Webp);
  ASSERT_GE(thumb.encoded.size(), 12u);
  EXPECT_EQ(std::string(thumb.encoded.begin(), thumb.encoded.begin() + 4), "RIFF");
  EXPECT_EQ(std::string(thumb.encoded.begin() + 8, thumb.encoded.begin() + 12), "WEBP");
  int width = 0, height = 0;
  ASSERT_TRUE(WebPGetInfo(thumb.encoded.data(), thumb.encoded.size(), &width, &height));
  EXPECT_EQ(width, 32);
  EXPECT_EQ(height, 24);
}

TEST(UploadValidationTest, FormatNamesParse) {
  EXPECT_EQ(parse_thumbnail_format("jpeg"), ThumbnailFormat::Jpeg);
  EXPECT_EQ(parse_thumbnail_format("png"), ThumbnailFormat::Png);
  EXPECT_EQ(parse_thumbnail_format("webp"), ThumbnailFormat::Webp);
  EXPECT_FALSE(parse_thumbnail_format("gif"));
  EXPECT_FALSE(parse_thumbnail_format("JPEG "));
  EXPECT_STREQ(thumbnail_extension(ThumbnailFormat::Jpeg), "jpg");
  EXPECT_STREQ(thumbnail_content_type(ThumbnailFormat::Webp), "image/webp");
}

TEST(UploadValidationTest, PngVariantsAccepted) {
  expect_ok(validate_thumbnail_upload(base64(make_png({.width = 13, .height = 7, .bit_depth = 16, .color_type = 2}))),
            13, 7);
  expect_ok(validate_thumbnail_upload(base64(make_png({.width = 13, .height = 7, .bit_depth = 16, .color_type = 6}))),
            13, 7);
  expect_ok(validate_thumbnail_upload(base64(make_png({.width = 13, .height = 11, .interlaced = true}))), 13, 11);
  expect_ok(validate_thumbnail_upload(base64(make_png({.width = 5, .height = 3, .color_type = 0}))), 5, 3);
  PngSpec palette{.width = 6, .height = 6, .color_type = 3};
  palette.extra_chunks.push_back({"PLTE", Bytes(256 * 3, 0x80)});
  palette.sample = [](std::uint32_t x, std::uint32_t y, int) { return static_cast<std::uint16_t>(x + y); };
  expect_ok(validate_thumbnail_upload(base64(make_png(palette))), 6, 6);
}

TEST(UploadValidationTest, InterlacedPngDecodesToTheSamePixels) {
  PngSpec plain{.width = 9, .height = 9};
  PngSpec interlaced = plain;
  interlaced.interlaced = true;
  const auto a = validate_thumbnail_upload(base64(make_png(plain)));
  const auto b = validate_thumbnail_upload(base64(make_png(interlaced)));
  ASSERT_EQ(status_of(a), 200);
  ASSERT_EQ(status_of(b), 200);
  EXPECT_EQ(std::get<ValidatedThumbnail>(a).sha256_hex, std::get<ValidatedThumbnail>(b).sha256_hex);
}

TEST(UploadValidationTest, LargestAllowedPngDecodesWithinLimits) {
  // 2048x2048 RGBA is exactly the 16 MiB decoded budget; a highly compressible IDAT (a "bomb" within limits).
  expect_ok(validate_thumbnail_upload(
                base64(make_png({.width = 2048,
                                 .height = 2048,
                                 .color_type = 6,
                                 .sample = [](std::uint32_t, std::uint32_t, int) -> std::uint16_t { return 0; }}))),
            2048, 2048);
  // 16-bit RGBA at the same size is still only 16 MiB after conversion to RGBA8.
  UploadLimits tight;
  tight.max_decoded_pixels_bytes = 1u << 20;
  EXPECT_EQ(status_of(validate_thumbnail_upload(base64(make_png({.width = 600, .height = 600})), tight)), 413);
}

// A zlib stream that holds `image` in a stored block, then `filler` zero bytes in another, then a block of the
// reserved type 3: an inflater gets an error as soon as it reads past the filler, and only then. (Without the
// filler, zlib reads the bad block header in the same call that returns the image's last byte: 422.)
Bytes zlib_image_then_garbage(const Bytes& image, std::uint16_t filler) {
  Bytes stream = {0x78, 0x01};  // deflate, 32 KiB window, no dictionary
  auto stored_block = [&](const Bytes& data) {
    const auto length = static_cast<std::uint16_t>(data.size());
    stream.insert(stream.end(), {0x00, static_cast<std::uint8_t>(length), static_cast<std::uint8_t>(length >> 8),
                                 static_cast<std::uint8_t>(~length), static_cast<std::uint8_t>(~length >> 8)});
    stream.insert(stream.end(), data.begin(), data.end());
  };
  stored_block(image);
  stored_block(Bytes(filler, 0));
  stream.insert(stream.end(), {0x07, 0xFF, 0xFF, 0xFF});  // BFINAL 1, BTYPE 11
  return stream;
}

TEST(UploadValidationTest, OverlongIdatStreamIsBounded) {
  // 8x8 RGB needs 200 bytes; this IDAT inflates to 64 MiB. libspng stops inflating once the image is complete, so
  // the image is accepted and the excess never inflated (bounded time and memory; bench/upload_times.cpp times it).
  expect_ok(validate_thumbnail_upload(base64(make_png_with_idat({}, zlib_compress(Bytes(64u << 20, 0))))), 8, 8);
  // That the excess is never inflated: a stream that cannot be inflated past the image's bytes is accepted too.
  const Bytes idat = zlib_image_then_garbage(png_raw_image_data({}), 4096);
  expect_ok(validate_thumbnail_upload(base64(make_png_with_idat({}, idat))), 8, 8);
}

TEST(UploadValidationTest, HugeAncillaryChunksAreRejected) {
  PngSpec text_spec;
  Bytes text = text_bytes(std::string("Comment\0", 8));
  text.resize((1u << 20) + 1, 'x');  // just over the 1 MiB cap on non-IDAT chunks
  text_spec.extra_chunks.push_back({"tEXt", text});
  EXPECT_EQ(detail_of(validate_thumbnail_upload(base64(make_png(text_spec)))), "Corrupt image: PNG chunk too large");

  // iCCP whose profile inflates to 64 MiB (a compression bomb in metadata; the chunk itself is ~64 KiB).
  PngSpec iccp_spec;
  Bytes iccp = text_bytes(std::string("icc\0\0", 5));
  const Bytes bomb = zlib_compress(Bytes(64u << 20, 0));
  iccp.insert(iccp.end(), bomb.begin(), bomb.end());
  iccp_spec.extra_chunks.push_back({"iCCP", iccp});
  const auto iccp_result = validate_thumbnail_upload(base64(make_png(iccp_spec)));
  EXPECT_EQ(status_of(iccp_result), 422) << detail_of(iccp_result);
  // Stopped by the 1 MiB chunk cache limit while inflating, not after inflating 64 MiB (bench/upload_times.cpp).
  EXPECT_EQ(detail_of(iccp_result), std::string("Corrupt image: ") + spng_strerror(SPNG_ECHUNK_LIMITS));

  // A modest text chunk is fine and does not survive re-encoding.
  PngSpec small_spec;
  small_spec.extra_chunks.push_back({"tEXt", text_bytes(std::string("Comment\0<script>x</script>", 26))});
  const auto small = validate_thumbnail_upload(base64(make_png(small_spec)));
  EXPECT_FALSE(contains(expect_ok(small, 8, 8).encoded, "<script"));
}

TEST(UploadValidationTest, DataAfterIendIsIgnoredAndDropped) {
  Bytes png = make_png({});
  const std::string html = "<html>after iend</html>";
  png.insert(png.end(), html.begin(), html.end());
  const auto result = validate_thumbnail_upload(base64(png));
  EXPECT_FALSE(contains(expect_ok(result, 8, 8).encoded, "after iend"));
}

TEST(UploadValidationTest, SameImageSameDigest) {
  const std::string body = base64(make_jpeg(40, 30));
  const auto a = validate_thumbnail_upload(body);
  const auto b = validate_thumbnail_upload(body);
  ASSERT_EQ(status_of(a), 200);
  EXPECT_EQ(std::get<ValidatedThumbnail>(a).sha256_hex, std::get<ValidatedThumbnail>(b).sha256_hex);
  EXPECT_EQ(std::get<ValidatedThumbnail>(a).sha256_hex.size(), 64u);
}

TEST(Base64Test, StrictDecoder) {
  Bytes out;
  EXPECT_TRUE(util::decode_base64_strict("", out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(util::decode_base64_strict("Zm9vYmFy", out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "foobar");
  EXPECT_TRUE(util::decode_base64_strict("Zm9vYg==", out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "foob");
  EXPECT_TRUE(util::decode_base64_strict("Zm9vYmE=", out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "fooba");
  for (const char* bad : {"Zm9vYg=", "Zm9vYg", "Zm9vYh==", "Zm9v\nYmFy", "Zm9v YmFy", "Zm9vYmE==", "Zm9-YmFy",
                          "Zm9_YmFy", "====", "Z===", "Zm9vYmFy="})
    EXPECT_FALSE(util::decode_base64_strict(bad, out)) << bad;
  EXPECT_TRUE(util::decode_base64url_strict("Zm9vYg", out));
  EXPECT_FALSE(util::decode_base64url_strict("Zm9vYg==", out));
  EXPECT_FALSE(util::decode_base64url_strict("Zm9vYh", out));
  EXPECT_FALSE(util::decode_base64url_strict("Z", out));
  for (int length = 0; length < 40; ++length) {
    Bytes data(length);
    for (int i = 0; i < length; ++i) data[i] = static_cast<std::uint8_t>(i * 37 + 250);
    ASSERT_TRUE(util::decode_base64_strict(util::encode_base64(data), out));
    EXPECT_EQ(out, data);
    ASSERT_TRUE(util::decode_base64url_strict(util::encode_base64url(data), out));
    EXPECT_EQ(out, data);
  }
}

}  // namespace
}  // namespace thumbgen::server
