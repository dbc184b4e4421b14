// FUNCTION DUMP / RESTORE payload encoding (see the header for the grammar).
#include "scripting/function_dump.h"

#include <cstdint>

#include "common/crc64.h"

namespace lodestone {
namespace {

constexpr unsigned char kOpcodeFunction = 245;       // RDB_OPCODE_FUNCTION2
constexpr unsigned char kOpcodeFunctionPreGa = 246;  // RDB_OPCODE_FUNCTION_PRE_GA
constexpr uint16_t kRdbVersion = 12;
constexpr size_t kFooterBytes = 10;

void AppendLength(std::string* out, uint64_t len) {
  if (len < 64) {
    out->push_back(static_cast<char>(len));
  } else if (len < 16384) {
    out->push_back(static_cast<char>(0x40 | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    out->push_back(static_cast<char>(0x80));
    for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(len >> shift));
  } else {
    out->push_back(static_cast<char>(0x81));
    for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(len >> shift));
  }
}

// Reads RDB strings from a byte range.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool AtEnd() const { return pos_ >= data_.size(); }

  bool Byte(unsigned char* out) {
    if (pos_ >= data_.size()) return false;
    *out = static_cast<unsigned char>(data_[pos_++]);
    return true;
  }

  // A length, or (with *encoded set) the special encoding number.
  bool Length(uint64_t* len, bool* encoded) {
    unsigned char first;
    if (!Byte(&first)) return false;
    *encoded = false;
    switch (first >> 6) {
      case 0:
        *len = first & 0x3f;
        return true;
      case 1: {
        unsigned char second;
        if (!Byte(&second)) return false;
        *len = (uint64_t(first & 0x3f) << 8) | second;
        return true;
      }
      case 2: {
        int bytes = first == 0x80 ? 4 : first == 0x81 ? 8 : 0;
        if (bytes == 0) return false;
        return BigEndian(bytes, len);
      }
      default:
        *encoded = true;
        *len = first & 0x3f;
        return true;
    }
  }

  bool String(std::string* out) {
    uint64_t len;
    bool encoded;
    if (!Length(&len, &encoded)) return false;
    if (!encoded) return Raw(len, out);
    switch (len) {
      case 0:
        return Integer(1, out);
      case 1:
        return Integer(2, out);
      case 2:
        return Integer(4, out);
      case 3:
        return Lzf(out);
      default:
        return false;
    }
  }

 private:
  bool BigEndian(int bytes, uint64_t* out) {
    if (data_.size() - pos_ < size_t(bytes)) return false;
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v = (v << 8) | static_cast<unsigned char>(data_[pos_++]);
    *out = v;
    return true;
  }

  bool Raw(uint64_t len, std::string* out) {
    if (data_.size() - pos_ < len) return false;
    out->assign(data_.substr(pos_, len));
    pos_ += len;
    return true;
  }

  // A little-endian signed integer of `bytes` bytes, as decimal text.
  bool Integer(int bytes, std::string* out) {
    if (data_.size() - pos_ < size_t(bytes)) return false;
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += bytes;
    int shift = 64 - 8 * bytes;
    *out = std::to_string(static_cast<int64_t>(v << shift) >> shift);
    return true;
  }

  // LZF: literal runs (control < 32: control+1 bytes follow) and back
  // references (length in the top 3 bits, 7 meaning "add the next byte",
  // plus 2; offset from the 13 low bits and the next byte, plus 1).
  bool Lzf(std::string* out) {
    uint64_t compressed_len, len;
    bool encoded;
    if (!Length(&compressed_len, &encoded) || encoded) return false;
    if (!Length(&len, &encoded) || encoded) return false;
    if (data_.size() - pos_ < compressed_len) return false;
    std::string_view in = data_.substr(pos_, compressed_len);
    pos_ += compressed_len;
    out->clear();
    out->reserve(len);
    size_t i = 0;
    while (i < in.size()) {
      auto control = static_cast<unsigned char>(in[i++]);
      if (control < 32) {
        size_t run = size_t(control) + 1;
        if (in.size() - i < run || out->size() + run > len) return false;
        out->append(in.substr(i, run));
        i += run;
        continue;
      }
      size_t run = control >> 5;
      if (run == 7) {
        if (i >= in.size()) return false;
        run += static_cast<unsigned char>(in[i++]);
      }
      if (i >= in.size()) return false;
      size_t offset = ((size_t(control) & 0x1f) << 8) + static_cast<unsigned char>(in[i++]) + 1;
      run += 2;
      if (offset > out->size() || out->size() + run > len) return false;
      size_t from = out->size() - offset;
      for (size_t k = 0; k < run; k++) out->push_back((*out)[from + k]);
    }
    return out->size() == len;
  }

  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

void AppendFunctionRecord(const FunctionLibrary& library, std::string* out) {
  out->push_back(static_cast<char>(kOpcodeFunction));
  AppendLength(out, library.code.size());
  *out += library.code;
}

std::string DumpFunctions(const FunctionSet& set) {
  std::string out;
  for (const auto& [name, library] : set.libraries()) AppendFunctionRecord(*library, &out);
  out.push_back(static_cast<char>(kRdbVersion & 0xff));
  out.push_back(static_cast<char>(kRdbVersion >> 8));
  uint64_t crc = Crc64(0, out.data(), out.size());
  for (int i = 0; i < 8; i++) out.push_back(static_cast<char>(crc >> (8 * i)));
  return out;
}

bool ParseFunctionDump(std::string_view payload, std::vector<std::string>* codes, std::string* err) {
  if (payload.size() < kFooterBytes) {
    *err = "DUMP payload version or checksum are wrong";
    return false;
  }
  size_t body_len = payload.size() - kFooterBytes;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(payload[i]); };
  uint16_t version = uint16_t(byte(body_len) | (byte(body_len + 1) << 8));
  uint64_t crc = 0;
  for (int i = 7; i >= 0; i--) crc = (crc << 8) | byte(body_len + 2 + i);
  if (version > kRdbVersion || Crc64(0, payload.data(), payload.size() - 8) != crc) {
    *err = "DUMP payload version or checksum are wrong";
    return false;
  }
  Reader reader(payload.substr(0, body_len));
  while (!reader.AtEnd()) {
    unsigned char type;
    if (!reader.Byte(&type)) {
      *err = "can not read data type";
      return false;
    }
    if (type == kOpcodeFunctionPreGa) {
      *err = "Pre-GA function format not supported";
      return false;
    }
    if (type != kOpcodeFunction) {
      *err = "given type is not a function";
      return false;
    }
    std::string code;
    if (!reader.String(&code)) {
      *err = "Failed loading library payload";
      return false;
    }
    codes->push_back(std::move(code));
  }
  return true;
}

}  // namespace lodestone
