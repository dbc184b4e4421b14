// RdbWriter: RDB length, string and number encodings (see rdb_format.h).
#include "persistence/rdb_writer.h"

#include <cstring>

#include "common/crc64.h"
#include "common/strings.h"
#include "persistence/lzf.h"
#include "persistence/rdb_format.h"

namespace lodestone {
namespace {

// Little-endian bytes of the low `n` bytes of v.
void PutLittleEndian(uint64_t v, int n, char* out) {
  for (int i = 0; i < n; i++) out[i] = static_cast<char>(v >> (8 * i));
}

void PutBigEndian(uint64_t v, int n, char* out) {
  for (int i = 0; i < n; i++) out[i] = static_cast<char>(v >> (8 * (n - 1 - i)));
}

}  // namespace

void RdbWriter::WriteRaw(std::string_view bytes) {
  if (bytes.empty()) return;
  crc_ = Crc64(crc_, bytes.data(), bytes.size());
  bytes_written_ += bytes.size();
  sink_.Write(bytes);
}

void RdbWriter::WriteByte(uint8_t byte) {
  char c = static_cast<char>(byte);
  WriteRaw(std::string_view(&c, 1));
}

void RdbWriter::WriteLength(uint64_t length) {
  char buf[9];
  if (length < (1 << 6)) {
    buf[0] = static_cast<char>(length);
    WriteRaw(std::string_view(buf, 1));
  } else if (length < (1 << 14)) {
    buf[0] = static_cast<char>(rdb::kLen14Bit << 6 | length >> 8);
    buf[1] = static_cast<char>(length & 0xff);
    WriteRaw(std::string_view(buf, 2));
  } else if (length <= UINT32_MAX) {
    buf[0] = static_cast<char>(rdb::kLen32Bit);
    PutBigEndian(length, 4, buf + 1);
    WriteRaw(std::string_view(buf, 5));
  } else {
    buf[0] = static_cast<char>(rdb::kLen64Bit);
    PutBigEndian(length, 8, buf + 1);
    WriteRaw(std::string_view(buf, 9));
  }
}

void RdbWriter::WriteInteger(int64_t value) {
  char buf[5];
  if (value >= INT8_MIN && value <= INT8_MAX) {
    buf[0] = static_cast<char>(rdb::kEncVal << 6 | rdb::kEncInt8);
    buf[1] = static_cast<char>(value);
    WriteRaw(std::string_view(buf, 2));
  } else if (value >= INT16_MIN && value <= INT16_MAX) {
    buf[0] = static_cast<char>(rdb::kEncVal << 6 | rdb::kEncInt16);
    PutLittleEndian(static_cast<uint64_t>(value), 2, buf + 1);
    WriteRaw(std::string_view(buf, 3));
  } else if (value >= INT32_MIN && value <= INT32_MAX) {
    buf[0] = static_cast<char>(rdb::kEncVal << 6 | rdb::kEncInt32);
    PutLittleEndian(static_cast<uint64_t>(value), 4, buf + 1);
    WriteRaw(std::string_view(buf, 5));
  } else {
    char digits[kInt64BufferSize];
    size_t n = FormatInt64(value, digits);
    WriteLength(n);
    WriteRaw(std::string_view(digits, n));
  }
}

void RdbWriter::WriteString(std::string_view bytes) {
  int64_t value;
  if (bytes.size() <= 11 && ParseInt64(bytes, &value) && value >= INT32_MIN &&
      value <= INT32_MAX) {
    // ParseInt64 accepts only the canonical decimal form, so the integer
    // reads back as these very bytes.
    WriteInteger(value);
    return;
  }
  if (compress_ && bytes.size() > 20 && TryWriteLzf(bytes)) return;
  WriteLength(bytes.size());
  WriteRaw(bytes);
}

bool RdbWriter::TryWriteLzf(std::string_view bytes) {
  if (!LzfCompress(bytes, bytes.size() - 4, &scratch_)) return false;
  WriteByte(rdb::kEncVal << 6 | rdb::kEncLzf);
  WriteLength(scratch_.size());
  WriteLength(bytes.size());
  WriteRaw(scratch_);
  return true;
}

void RdbWriter::WriteMillis(int64_t ms) {
  char buf[8];
  PutLittleEndian(static_cast<uint64_t>(ms), 8, buf);
  WriteRaw(std::string_view(buf, 8));
}

void RdbWriter::WriteBinaryDouble(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, 8);
  char buf[8];
  PutLittleEndian(bits, 8, buf);
  WriteRaw(std::string_view(buf, 8));
}

}  // namespace lodestone
