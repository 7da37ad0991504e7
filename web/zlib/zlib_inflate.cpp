// zlib's inflate API on stb_image's inflater (see zlib.h for why this exists and what it does not do).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <vector>

#include "zlib.h"

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_ONLY_PNG  // the smallest part of stb_image that includes its inflater
#include <stb_image.h>

namespace {

constexpr std::size_t kMaxOutputBytes = std::size_t{1} << 30;  // wasm memory is 4 GiB at most
constexpr std::size_t kFirstGuessBytes = std::size_t{1} << 20;

enum class Wrapper { Raw, Zlib, Gzip, Detect };

struct State {
  Wrapper wrapper = Wrapper::Detect;
  bool decoded = false;
  std::vector<std::uint8_t> output;
  std::size_t served = 0;
};

int fail(z_streamp stream, int code, const char* message) {
  stream->msg = const_cast<char*>(message);
  return code;
}

// The raw deflate data inside a gzip member (RFC 1952), and the uncompressed size its trailer states.
bool gzip_payload(std::span<const std::uint8_t> in, std::span<const std::uint8_t>& deflate, std::size_t& size_hint) {
  if (in.size() < 18 || in[0] != 0x1f || in[1] != 0x8b || in[2] != 8) return false;
  const std::uint8_t flags = in[3];
  std::size_t offset = 10;
  if (flags & 4) {  // FEXTRA
    if (offset + 2 > in.size()) return false;
    offset += 2 + (in[offset] | in[offset + 1] << 8);
  }
  for (const std::uint8_t zero_terminated : {std::uint8_t{8}, std::uint8_t{16}}) {  // FNAME, FCOMMENT
    if (!(flags & zero_terminated)) continue;
    while (offset < in.size() && in[offset] != 0) ++offset;
    ++offset;
  }
  if (flags & 2) offset += 2;  // FHCRC
  if (offset + 8 > in.size()) return false;
  deflate = in.subspan(offset, in.size() - offset - 8);
  const std::size_t tail = in.size() - 4;
  size_hint = in[tail] | in[tail + 1] << 8 | in[tail + 2] << 16 | std::size_t{in[tail + 3]} << 24;
  return true;
}

// Decodes all of the stream, growing the output buffer (bounded) until it fits.
int decode(z_streamp stream, State& state) {
  const std::span<const std::uint8_t> in(stream->next_in, stream->avail_in);
  std::span<const std::uint8_t> deflate = in;
  std::size_t guess = kFirstGuessBytes;
  const bool gzip = in.size() >= 2 && in[0] == 0x1f && in[1] == 0x8b;
  if (state.wrapper == Wrapper::Gzip || (state.wrapper == Wrapper::Detect && gzip)) {
    if (!gzip_payload(in, deflate, guess)) {
      return in.size() < 18 ? fail(stream, Z_BUF_ERROR, "truncated gzip header")
                            : fail(stream, Z_DATA_ERROR, "incorrect header check");
    }
  } else if (state.wrapper != Wrapper::Raw) {
    if (in.size() < 6 || (in[0] & 15) != 8 || ((in[0] << 8) | in[1]) % 31 != 0 || (in[1] & 32)) {
      return fail(stream, Z_DATA_ERROR, "incorrect header check");
    }
    deflate = in.subspan(2, in.size() - 6);
  }
  if (deflate.size() > INT32_MAX) return fail(stream, Z_MEM_ERROR, "input too large");
  // Deflate expands at most 1032:1, so neither a lying size field nor a bomb can make this allocate more.
  const std::size_t limit = std::min(kMaxOutputBytes, deflate.size() * 1032 + 1024);
  std::size_t capacity = std::clamp<std::size_t>(guess + 1, 64, limit);
  for (;;) {
    try {
      state.output.resize(capacity);
    } catch (const std::bad_alloc&) {
      return fail(stream, Z_MEM_ERROR, "out of memory");
    }
    const int length = stbi_zlib_decode_noheader_buffer(
        reinterpret_cast<char*>(state.output.data()), static_cast<int>(capacity),
        reinterpret_cast<const char*>(deflate.data()), static_cast<int>(deflate.size()));
    if (length >= 0) {
      state.output.resize(static_cast<std::size_t>(length));
      state.output.shrink_to_fit();
      break;
    }
    if (std::strcmp(stbi_failure_reason(), "output buffer limit") != 0) {
      return fail(stream, Z_DATA_ERROR, stbi_failure_reason());
    }
    if (capacity >= limit) return fail(stream, Z_DATA_ERROR, "inflated data too large");
    capacity = std::min(capacity * 2, limit);
  }
  stream->total_in += stream->avail_in;
  stream->next_in += stream->avail_in;
  stream->avail_in = 0;
  state.decoded = true;
  return Z_OK;
}

}  // namespace

extern "C" int inflateInit2(z_streamp stream, int window_bits) {
  if (!stream) return Z_STREAM_ERROR;
  Wrapper wrapper;
  if (window_bits >= -15 && window_bits <= -8) {
    wrapper = Wrapper::Raw;
  } else if (window_bits >= 8 && window_bits <= 15) {
    wrapper = Wrapper::Zlib;
  } else if (window_bits >= 24 && window_bits <= 31) {
    wrapper = Wrapper::Gzip;
  } else if (window_bits >= 40 && window_bits <= 47) {
    wrapper = Wrapper::Detect;
  } else {
    return Z_STREAM_ERROR;
  }
  State* state = new (std::nothrow) State;
  if (!state) return Z_MEM_ERROR;
  state->wrapper = wrapper;
  stream->state = state;
  stream->msg = nullptr;
  stream->total_in = stream->total_out = 0;
  return Z_OK;
}

extern "C" int inflate(z_streamp stream, int /*flush*/) {
  if (!stream || !stream->state) return Z_STREAM_ERROR;
  State& state = *static_cast<State*>(stream->state);
  if (!state.decoded) {
    if (stream->avail_in == 0) return Z_BUF_ERROR;
    if (const int result = decode(stream, state); result != Z_OK) return result;
  }
  const std::size_t left = state.output.size() - state.served;
  if (left == 0) return Z_STREAM_END;
  if (stream->avail_out == 0) return Z_BUF_ERROR;
  const std::size_t count = std::min<std::size_t>(left, stream->avail_out);
  std::memcpy(stream->next_out, state.output.data() + state.served, count);
  state.served += count;
  stream->next_out += count;
  stream->avail_out -= static_cast<uInt>(count);
  stream->total_out += count;
  return state.served == state.output.size() ? Z_STREAM_END : Z_OK;
}

extern "C" int inflateEnd(z_streamp stream) {
  if (!stream || !stream->state) return Z_STREAM_ERROR;
  delete static_cast<State*>(stream->state);
  stream->state = nullptr;
  return Z_OK;
}
