// The part of zlib's inflate API that src/scene uses, for the WebAssembly build only: Emscripten's zlib is a
// -sUSE_ZLIB port that needs the network, and Debian ships no zlib source. Backed by stb_image's inflater
// (zlib_inflate.cpp). Unlike zlib it needs the whole compressed stream in the first inflate() call, which is how
// the scene loaders call it (the file is in memory), and it does not verify the gzip CRC.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned char Bytef;
typedef unsigned int uInt;
typedef unsigned long uLong;

#define MAX_WBITS 15
#define Z_NO_FLUSH 0
#define Z_FINISH 4
#define Z_OK 0
#define Z_STREAM_END 1
#define Z_STREAM_ERROR (-2)
#define Z_DATA_ERROR (-3)
#define Z_MEM_ERROR (-4)
#define Z_BUF_ERROR (-5)

typedef struct z_stream_s {
  Bytef* next_in;
  uInt avail_in;
  uLong total_in;
  Bytef* next_out;
  uInt avail_out;
  uLong total_out;
  char* msg;
  void* state;
} z_stream;
typedef z_stream* z_streamp;

// windowBits as in zlib: 8..15 zlib header, 24..31 gzip header, 40..47 either, -8..-15 raw deflate.
int inflateInit2(z_streamp stream, int windowBits);
int inflate(z_streamp stream, int flush);
int inflateEnd(z_streamp stream);

#ifdef __cplusplus
}
#endif
