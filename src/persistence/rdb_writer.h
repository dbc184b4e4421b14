// RdbWriter: the primitive encodings of Redis's RDB format (rdb_format.h),
// written to a streaming sink.
//
// Everything above it — one value (value_writer.h), a DUMP payload, and later
// a whole snapshot written shard by shard — is a sequence of these calls, so
// no layer needs the whole output in memory: a sink may append to a string
// (DUMP) or to a file buffer that it flushes as it fills. The writer keeps the
// running CRC-64 of everything written, which both DUMP's footer and the RDB
// file's trailer are.
//
// Thread safety: none; one writer per output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lodestone {

// Where encoded bytes go. Write is called with small pieces and large ones
// alike; an implementation may buffer.
class RdbSink {
 public:
  virtual ~RdbSink() = default;
  virtual void Write(std::string_view bytes) = 0;
};

// Appends to a std::string the caller owns (DUMP payloads, tests).
class StringSink final : public RdbSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  void Write(std::string_view bytes) override { out_->append(bytes); }

 private:
  std::string* out_;
};

class RdbWriter {
 public:
  // `compress`: try LZF on strings longer than 20 bytes, as Redis does with
  // rdbcompression yes.
  RdbWriter(RdbSink& sink, bool compress) : sink_(sink), compress_(compress) {}

  // Bytes as they are.
  void WriteRaw(std::string_view bytes);
  void WriteByte(uint8_t byte);
  // A length (rdbSaveLen).
  void WriteLength(uint64_t length);
  // A string in the smallest form Redis would choose (rdbSaveRawString):
  // an integer encoding when it is a decimal int32 of up to 11 bytes, else
  // LZF when enabled, longer than 20 bytes and at least 4 bytes smaller, else
  // length and bytes.
  void WriteString(std::string_view bytes);
  // An integer as a string (rdbSaveLongLongAsStringObject).
  void WriteInteger(int64_t value);
  // 8 bytes little-endian (rdbSaveMillisecondTime).
  void WriteMillis(int64_t ms);
  // 8 bytes, the IEEE double little-endian (rdbSaveBinaryDoubleValue).
  void WriteBinaryDouble(double value);

  // CRC-64 of every byte written so far.
  uint64_t crc() const { return crc_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  bool TryWriteLzf(std::string_view bytes);

  RdbSink& sink_;
  bool compress_;
  uint64_t crc_ = 0;
  uint64_t bytes_written_ = 0;
  std::string scratch_;  // LZF output, reused between strings.
};

}  // namespace lodestone
