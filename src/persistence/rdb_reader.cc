// RdbReader: bounds-checked decoding of RDB primitives (see rdb_format.h).
#include "persistence/rdb_reader.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "common/strings.h"
#include "persistence/lzf.h"
#include "persistence/rdb_format.h"

namespace lodestone {
namespace {

// The best an LZF stream can do is a 3-byte back reference producing 264
// bytes (88 per input byte); a bound a little above that still stops a few
// corrupt bytes from claiming gigabytes.
constexpr uint64_t kLzfMaxExpansion = 140;

uint64_t GetLittleEndian(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < b.size(); i++) v |= uint64_t(static_cast<uint8_t>(b[i])) << (8 * i);
  return v;
}

uint64_t GetBigEndian(std::string_view b) {
  uint64_t v = 0;
  for (char c : b) v = v << 8 | static_cast<uint8_t>(c);
  return v;
}

}  // namespace

bool RdbReader::ReadByte(uint8_t* byte) {
  if (pos_ >= input_.size()) return false;
  *byte = static_cast<uint8_t>(input_[pos_++]);
  return true;
}

bool RdbReader::ReadRaw(size_t n, std::string_view* bytes) {
  if (remaining() < n) return false;
  *bytes = input_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool RdbReader::ReadLengthOrEncoding(uint64_t* length, bool* encoded) {
  uint8_t first;
  if (!ReadByte(&first)) return false;
  *encoded = false;
  std::string_view rest;
  switch (first >> 6) {
    case rdb::kLen6Bit:
      *length = first & 0x3f;
      return true;
    case rdb::kLen14Bit: {
      uint8_t second;
      if (!ReadByte(&second)) return false;
      *length = uint64_t(first & 0x3f) << 8 | second;
      return true;
    }
    case rdb::kEncVal:
      *encoded = true;
      *length = first & 0x3f;
      return true;
    default:
      if (first == rdb::kLen32Bit) {
        if (!ReadRaw(4, &rest)) return false;
      } else if (first == rdb::kLen64Bit) {
        if (!ReadRaw(8, &rest)) return false;
      } else {
        return false;
      }
      *length = GetBigEndian(rest);
      return true;
  }
}

bool RdbReader::ReadLength(uint64_t* length) {
  bool encoded;
  return ReadLengthOrEncoding(length, &encoded) && !encoded;
}

bool RdbReader::ReadString(std::string* out) {
  uint64_t length;
  bool encoded;
  if (!ReadLengthOrEncoding(&length, &encoded)) return false;
  std::string_view bytes;
  if (!encoded) {
    if (length > remaining() || !ReadRaw(length, &bytes)) return false;
    out->assign(bytes);
    return true;
  }
  int64_t value;
  switch (length) {
    case rdb::kEncInt8:
      if (!ReadRaw(1, &bytes)) return false;
      value = static_cast<int8_t>(bytes[0]);
      break;
    case rdb::kEncInt16:
      if (!ReadRaw(2, &bytes)) return false;
      value = static_cast<int16_t>(GetLittleEndian(bytes));
      break;
    case rdb::kEncInt32:
      if (!ReadRaw(4, &bytes)) return false;
      value = static_cast<int32_t>(GetLittleEndian(bytes));
      break;
    case rdb::kEncLzf: {
      uint64_t compressed_len, original_len;
      if (!ReadLength(&compressed_len) || !ReadLength(&original_len)) return false;
      if (compressed_len > remaining() || original_len == 0 ||
          original_len > compressed_len * kLzfMaxExpansion) {
        return false;
      }
      if (!ReadRaw(compressed_len, &bytes)) return false;
      return LzfDecompress(bytes, original_len, out);
    }
    default:
      return false;
  }
  *out = Int64ToString(value);
  return true;
}

bool RdbReader::ReadMillis(int64_t* ms) {
  std::string_view bytes;
  if (!ReadRaw(8, &bytes)) return false;
  *ms = static_cast<int64_t>(GetLittleEndian(bytes));
  return true;
}

bool RdbReader::ReadBinaryDouble(double* value) {
  std::string_view bytes;
  if (!ReadRaw(8, &bytes)) return false;
  uint64_t bits = GetLittleEndian(bytes);
  std::memcpy(value, &bits, 8);
  return true;
}

bool RdbReader::ReadStringDouble(double* value) {
  uint8_t len;
  if (!ReadByte(&len)) return false;
  switch (len) {
    case 253:
      *value = std::numeric_limits<double>::quiet_NaN();
      return true;
    case 254:
      *value = std::numeric_limits<double>::infinity();
      return true;
    case 255:
      *value = -std::numeric_limits<double>::infinity();
      return true;
    default:
      break;
  }
  std::string_view bytes;
  if (!ReadRaw(len, &bytes)) return false;
  std::string text(bytes);
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && !text.empty();
}

}  // namespace lodestone
