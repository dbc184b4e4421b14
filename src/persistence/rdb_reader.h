// RdbReader: decodes the primitive encodings of Redis's RDB format
// (rdb_format.h) from an untrusted buffer.
//
// Every read checks bounds and returns false on malformed or truncated
// input, never reading past the buffer or allocating more than the input can
// justify (an LZF string may claim at most what its compressed bytes can
// expand to). Views returned point into the buffer and live as long as it.
//
// Thread safety: none; one reader per input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lodestone {

class RdbReader {
 public:
  explicit RdbReader(std::string_view input) : input_(input) {}

  bool ReadByte(uint8_t* byte);
  // `n` bytes as they are.
  bool ReadRaw(size_t n, std::string_view* bytes);
  // A plain length (rdbLoadLen). A special string encoding where a length is
  // expected is an error.
  bool ReadLength(uint64_t* length);
  // A string in any of its forms (plain, integer, LZF).
  bool ReadString(std::string* out);
  // 8 bytes little-endian.
  bool ReadMillis(int64_t* ms);
  // An IEEE double, 8 bytes little-endian (ZSET_2 scores).
  bool ReadBinaryDouble(double* value);
  // A double as old RDB versions wrote it: a length byte (253 NaN, 254 +inf,
  // 255 -inf) and that many ASCII characters (RDB_TYPE_ZSET scores).
  bool ReadStringDouble(double* value);

  size_t remaining() const { return input_.size() - pos_; }
  size_t position() const { return pos_; }

 private:
  // The first length byte's special form: sets *encoded when the string is
  // integer- or LZF-encoded (its encoding in *length).
  bool ReadLengthOrEncoding(uint64_t* length, bool* encoded);

  std::string_view input_;
  size_t pos_ = 0;
};

}  // namespace lodestone
