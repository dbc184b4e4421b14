// struct: binary records for Lua 5.1, the format language Redis scripts use.
//
// A format is a sequence of options, each optionally followed by a number:
//   >  <       big / little endian for what follows (default: native, little)
//   ![n]       maximum alignment n (a power of 2; default 8); starts at 1
//   x          one byte of padding
//   b B        signed / unsigned char     h H  short (2)     l L  long (8)
//   T          size_t (8)                 i[n] I[n]  signed / unsigned integer
//                                                    of n bytes (default 4, <= 32)
//   c[n]       n chars (default 1); packing c0 takes the whole string,
//              unpacking c0 takes the previous unpacked number as the length
//   s          zero-terminated string
//   f d        float / double
//   ' '        ignored
// An element of size k is aligned to min(k, maximum alignment) from the start
// of the record (c and s are never aligned). Integers are Lua numbers
// (doubles): packing converts through a 64-bit integer, so integer options
// wider than 8 bytes carry zero (or, unpacked signed, the sign of the low 8
// bytes) in their high bytes.
//
// Lua 5.1 raises errors with longjmp: nothing here owns an object with a
// destructor; packing builds its result in a luaL_Buffer.
#include "scripting/lua_struct.h"

#include <cctype>
#include <climits>
#include <cstdint>
#include <cstring>

namespace {

constexpr int kMaxIntegerSize = 32;
constexpr int kDefaultMaxAlign = 8;  // alignof(double) with the common ABIs.

enum class Endian { kBig, kLittle };

constexpr Endian kNative = Endian::kLittle;
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "struct assumes a little-endian host");

struct Layout {
  Endian endian = kNative;
  int max_align = 1;
};

// Reads a decimal number at *format (advancing past it), or returns
// `fallback` when no digit follows.
int ReadCount(lua_State* L, const char** format, int fallback) {
  if (!std::isdigit(static_cast<unsigned char>(**format))) return fallback;
  int n = 0;
  while (std::isdigit(static_cast<unsigned char>(**format))) {
    int digit = **format - '0';
    if (n > (INT_MAX - digit) / 10) luaL_error(L, "integral size overflow");
    n = n * 10 + digit;
    (*format)++;
  }
  return n;
}

// Size in bytes of option `option`, reading its count when it takes one;
// 0 for options that occupy no fixed space ('s', controls, unknown letters).
size_t OptionSize(lua_State* L, char option, const char** format) {
  switch (option) {
    case 'b':
    case 'B':
      return 1;
    case 'h':
    case 'H':
      return sizeof(short);
    case 'l':
    case 'L':
      return sizeof(long);
    case 'T':
      return sizeof(size_t);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'x':
      return 1;
    case 'c':
      return static_cast<size_t>(ReadCount(L, format, 1));
    case 'i':
    case 'I': {
      int size = ReadCount(L, format, sizeof(int));
      if (size > kMaxIntegerSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", size, kMaxIntegerSize);
      }
      return static_cast<size_t>(size);
    }
    default:
      return 0;
  }
}

// Padding that aligns an element of `size` bytes at offset `offset`.
size_t Padding(size_t offset, const Layout& layout, char option, size_t size) {
  if (size == 0 || option == 'c') return 0;
  if (size > static_cast<size_t>(layout.max_align)) size = layout.max_align;
  return (size - (offset & (size - 1))) & (size - 1);
}

// Applies a control option (endianness, alignment, blank); anything else is
// an invalid format option.
void ApplyControl(lua_State* L, char option, const char** format, Layout* layout) {
  switch (option) {
    case ' ':
      return;
    case '>':
      layout->endian = Endian::kBig;
      return;
    case '<':
      layout->endian = Endian::kLittle;
      return;
    case '!': {
      int align = ReadCount(L, format, kDefaultMaxAlign);
      if (align <= 0 || (align & (align - 1)) != 0) {
        luaL_error(L, "alignment %d is not a power of 2", align);
      }
      layout->max_align = align;
      return;
    }
    default:
      luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", option));
  }
}

bool IsIntegerOption(char option) { return std::strchr("bBhHlLTiI", option) != nullptr; }

// Argument `arg` as a number; a missing argument reads as nil, as in Redis
// (where a marker nil sits above the arguments).
lua_Number NumberArg(lua_State* L, int arg, int nargs) {
  if (arg > nargs) luaL_argerror(L, arg, "number expected, got nil");
  return luaL_checknumber(L, arg);
}

const char* StringArg(lua_State* L, int arg, int nargs, size_t* len) {
  if (arg > nargs) luaL_argerror(L, arg, "string expected, got nil");
  return luaL_checklstring(L, arg, len);
}

// Two's-complement bits of a Lua number, as a 64-bit integer conversion.
uint64_t IntegerBits(lua_Number n) {
  if (!(n == n)) return 0;
  if (n < 0) {
    if (n < -9223372036854775808.0) return static_cast<uint64_t>(INT64_MIN);
    return static_cast<uint64_t>(static_cast<int64_t>(n));
  }
  if (n >= 18446744073709551616.0) return UINT64_MAX;
  return static_cast<uint64_t>(n);
}

void AddInteger(luaL_Buffer* out, uint64_t value, Endian endian, size_t size) {
  for (size_t i = 0; i < size; i++) {
    // Byte i counted from the least significant end.
    size_t significance = endian == Endian::kLittle ? i : size - 1 - i;
    unsigned char byte = significance < 8 ? static_cast<unsigned char>(value >> (8 * significance)) : 0;
    luaL_addchar(out, static_cast<char>(byte));
  }
}

// Adds `size` bytes of a native-order value in `endian` order.
void AddFloating(luaL_Buffer* out, const void* native, size_t size, Endian endian) {
  const auto* bytes = static_cast<const char*>(native);
  for (size_t i = 0; i < size; i++) {
    luaL_addchar(out, endian == kNative ? bytes[i] : bytes[size - 1 - i]);
  }
}

// struct.pack(format, v1, v2, ...) -> string
int Pack(lua_State* L) {
  const char* format = luaL_checkstring(L, 1);
  int nargs = lua_gettop(L);
  Layout layout;
  int arg = 2;
  size_t total = 0;
  luaL_Buffer out;
  luaL_buffinit(L, &out);
  while (*format != '\0') {
    char option = *format++;
    size_t size = OptionSize(L, option, &format);
    size_t padding = Padding(total, layout, option, size);
    total += padding;
    for (size_t i = 0; i < padding; i++) luaL_addchar(&out, '\0');
    if (IsIntegerOption(option)) {
      AddInteger(&out, IntegerBits(NumberArg(L, arg++, nargs)), layout.endian, size);
    } else if (option == 'x') {
      luaL_addchar(&out, '\0');
    } else if (option == 'f') {
      auto f = static_cast<float>(NumberArg(L, arg++, nargs));
      AddFloating(&out, &f, sizeof(f), layout.endian);
    } else if (option == 'd') {
      double d = NumberArg(L, arg++, nargs);
      AddFloating(&out, &d, sizeof(d), layout.endian);
    } else if (option == 'c' || option == 's') {
      size_t len;
      const char* s = StringArg(L, arg++, nargs, &len);
      if (size == 0) size = len;
      // Redis names the argument after the string's in this message.
      luaL_argcheck(L, len >= size, arg, "string too short");
      luaL_addlstring(&out, s, size);
      if (option == 's') {
        luaL_addchar(&out, '\0');
        size++;
      }
    } else {
      ApplyControl(L, option, &format, &layout);
    }
    total += size;
  }
  luaL_pushresult(&out);
  return 1;
}

lua_Number ReadInteger(const char* data, Endian endian, bool is_signed, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; i++) {
    size_t index = endian == Endian::kBig ? i : size - 1 - i;
    value = (value << 8) | static_cast<unsigned char>(data[index]);
  }
  if (!is_signed) return static_cast<lua_Number>(value);
  if (size > 0 && size < 8) {
    uint64_t sign_and_above = ~uint64_t{0} << (size * 8 - 1);
    if ((value & sign_and_above) != 0) value |= sign_and_above;
  }
  return static_cast<lua_Number>(static_cast<int64_t>(value));
}

// struct.unpack(format, data [, position]) -> v1, v2, ..., next position
int Unpack(lua_State* L) {
  const char* format = luaL_checkstring(L, 1);
  size_t data_len;
  const char* data = luaL_checklstring(L, 2, &data_len);
  // A negative position wraps to a huge one, as in Redis: the first option
  // then finds the data too short.
  auto pos = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
  pos--;
  Layout layout;
  int results = 0;
  while (*format != '\0') {
    char option = *format++;
    size_t size = OptionSize(L, option, &format);
    pos += Padding(pos, layout, option, size);
    luaL_argcheck(L, size <= data_len && pos <= data_len - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    if (IsIntegerOption(option)) {
      bool is_signed = std::islower(static_cast<unsigned char>(option)) != 0;
      lua_pushnumber(L, ReadInteger(data + pos, layout.endian, is_signed, size));
      results++;
    } else if (option == 'x') {
    } else if (option == 'f' || option == 'd') {
      char bytes[8];
      for (size_t i = 0; i < size; i++) {
        bytes[i] = layout.endian == kNative ? data[pos + i] : data[pos + size - 1 - i];
      }
      if (option == 'f') {
        float f;
        std::memcpy(&f, bytes, sizeof(f));
        lua_pushnumber(L, f);
      } else {
        double d;
        std::memcpy(&d, bytes, sizeof(d));
        lua_pushnumber(L, d);
      }
      results++;
    } else if (option == 'c') {
      if (size == 0) {
        if (results == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
        lua_Number previous = lua_tonumber(L, -1);
        lua_pop(L, 1);
        results--;
        size = previous >= 0 && previous <= static_cast<lua_Number>(data_len) ? static_cast<size_t>(previous)
                                                                               : data_len + 1;
        luaL_argcheck(L, size <= data_len && pos <= data_len - size, 2, "data string too short");
      }
      lua_pushlstring(L, data + pos, size);
      results++;
    } else if (option == 's') {
      const void* end = std::memchr(data + pos, '\0', data_len - pos);
      if (end == nullptr) luaL_error(L, "unfinished string in data");
      size = static_cast<size_t>(static_cast<const char*>(end) - (data + pos)) + 1;
      lua_pushlstring(L, data + pos, size - 1);
      results++;
    } else {
      ApplyControl(L, option, &format, &layout);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return results + 1;
}

// struct.size(format) -> bytes a record of that format occupies.
// Letters that are not options are skipped here (as Redis does).
int Size(lua_State* L) {
  const char* format = luaL_checkstring(L, 1);
  Layout layout;
  size_t pos = 0;
  while (*format != '\0') {
    char option = *format++;
    size_t size = OptionSize(L, option, &format);
    pos += Padding(pos, layout, option, size);
    if (option == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (option == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    if (!std::isalnum(static_cast<unsigned char>(option))) ApplyControl(L, option, &format, &layout);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

const luaL_Reg kFunctions[] = {
    {"pack", Pack},
    {"unpack", Unpack},
    {"size", Size},
    {nullptr, nullptr},
};

}  // namespace

extern "C" int luaopen_struct(lua_State* L) {
  luaL_register(L, "struct", kFunctions);
  return 1;
}
