// cmsgpack: MessagePack for Lua 5.1, as Redis scripts know it.
//
// Scripts written for Redis depend on the exact choices of the library Redis
// ships, so this one makes the same ones:
//  - a table whose keys are exactly the integers 1..n is an array, any other
//    table (the empty one excepted: it is an empty array) is a map;
//  - a number with an exact int64 value is encoded as the smallest integer
//    form, any other number as float32 when that is exact, else as float64;
//  - strings use the fixstr/str8/str16/str32 forms (never bin), other Lua
//    types (functions, userdata, nil) become nil;
//  - tables nested 16 deep are encoded as nil, so cyclic tables terminate;
//  - the decoder accepts the forms the encoder writes plus uint/int of every
//    width; bin, ext and the reserved byte are "Bad data format in input.".
//
// Lua 5.1 raises errors with longjmp, so no function here keeps an object with
// a destructor alive across a Lua API call: the encode buffer is a userdata
// with a __gc that frees its bytes if an error unwinds past it.
#include "scripting/lua_cmsgpack.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

constexpr int kMaxNesting = 16;
constexpr const char* kBufferMetatable = "lodestone.cmsgpack.buffer";
constexpr const char* kTooManyValues =
    "too many return values at once; use unpack_one or unpack_limit instead.";

// ---------------------------------------------------------------- encoding

// Growable byte buffer living in a Lua userdata (see the file comment).
struct PackBuffer {
  unsigned char* bytes;
  size_t len;
  size_t capacity;
};

int PackBufferGc(lua_State* L) {
  auto* buffer = static_cast<PackBuffer*>(lua_touserdata(L, 1));
  std::free(buffer->bytes);
  buffer->bytes = nullptr;
  buffer->len = buffer->capacity = 0;
  return 0;
}

void Append(lua_State* L, PackBuffer* buffer, const void* data, size_t n) {
  if (buffer->capacity - buffer->len < n) {
    size_t needed = buffer->len + n;
    if (needed < buffer->len || needed > SIZE_MAX / 2) luaL_error(L, "cmsgpack: output too large");
    size_t capacity = needed * 2;
    void* grown = std::realloc(buffer->bytes, capacity);
    if (grown == nullptr) luaL_error(L, "not enough memory");
    buffer->bytes = static_cast<unsigned char*>(grown);
    buffer->capacity = capacity;
  }
  std::memcpy(buffer->bytes + buffer->len, data, n);
  buffer->len += n;
}

// Appends `tag` followed by the low `width` bytes of `value`, big-endian.
void AppendTagged(lua_State* L, PackBuffer* buffer, unsigned char tag, uint64_t value, int width) {
  unsigned char out[9];
  out[0] = tag;
  for (int i = 0; i < width; i++) out[1 + i] = static_cast<unsigned char>(value >> (8 * (width - 1 - i)));
  Append(L, buffer, out, 1 + width);
}

void EncodeInteger(lua_State* L, PackBuffer* buffer, int64_t n) {
  auto u = static_cast<uint64_t>(n);
  if (n >= 0) {
    if (n <= 0x7f) return AppendTagged(L, buffer, static_cast<unsigned char>(n), 0, 0);
    if (n <= 0xff) return AppendTagged(L, buffer, 0xcc, u, 1);
    if (n <= 0xffff) return AppendTagged(L, buffer, 0xcd, u, 2);
    if (n <= 0xffffffffLL) return AppendTagged(L, buffer, 0xce, u, 4);
    return AppendTagged(L, buffer, 0xcf, u, 8);
  }
  if (n >= -32) return AppendTagged(L, buffer, static_cast<unsigned char>(u & 0xff), 0, 0);
  if (n >= -128) return AppendTagged(L, buffer, 0xd0, u, 1);
  if (n >= -32768) return AppendTagged(L, buffer, 0xd1, u, 2);
  if (n >= INT32_MIN) return AppendTagged(L, buffer, 0xd2, u, 4);
  AppendTagged(L, buffer, 0xd3, u, 8);
}

void EncodeFloat(lua_State* L, PackBuffer* buffer, double d) {
  auto f = static_cast<float>(d);
  if (static_cast<double>(f) == d) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return AppendTagged(L, buffer, 0xca, bits, 4);
  }
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  AppendTagged(L, buffer, 0xcb, bits, 8);
}

bool HasExactInt64(double d) {
  return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && std::trunc(d) == d;
}

void EncodeNumber(lua_State* L, PackBuffer* buffer, double d) {
  if (HasExactInt64(d)) return EncodeInteger(L, buffer, static_cast<int64_t>(d));
  EncodeFloat(L, buffer, d);
}

void EncodeString(lua_State* L, PackBuffer* buffer, const char* s, size_t len) {
  if (len < 32) {
    AppendTagged(L, buffer, static_cast<unsigned char>(0xa0 | len), 0, 0);
  } else if (len <= 0xff) {
    AppendTagged(L, buffer, 0xd9, len, 1);
  } else if (len <= 0xffff) {
    AppendTagged(L, buffer, 0xda, len, 2);
  } else {
    AppendTagged(L, buffer, 0xdb, len, 4);
  }
  Append(L, buffer, s, len);
}

// Header of an array (fix_tag 0x90, wide_tag 0xdc) or a map (0x80, 0xde).
void EncodeContainerHeader(lua_State* L, PackBuffer* buffer, unsigned char fix_tag,
                           unsigned char wide_tag, size_t n) {
  if (n <= 15) return AppendTagged(L, buffer, static_cast<unsigned char>(fix_tag | n), 0, 0);
  if (n <= 0xffff) return AppendTagged(L, buffer, wide_tag, n, 2);
  AppendTagged(L, buffer, static_cast<unsigned char>(wide_tag + 1), n, 4);
}

// True when the table on top of the stack has exactly the keys 1..n (n >= 0):
// every key a positive number with an exact int value, the largest equal to
// the count (keys are distinct, so that means no holes).
bool IsArray(lua_State* L) {
  long count = 0;
  double max = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TNUMBER) {
      lua_pop(L, 1);
      return false;
    }
    double key = lua_tonumber(L, -1);
    if (!(key > 0 && key <= INT_MAX && std::trunc(key) == key)) {
      lua_pop(L, 1);
      return false;
    }
    if (key > max) max = key;
    count++;
  }
  return max == static_cast<double>(count);
}

void EncodeValue(lua_State* L, PackBuffer* buffer, int level);

void EncodeTable(lua_State* L, PackBuffer* buffer, int level) {
  luaL_checkstack(L, 4, "in cmsgpack.pack: tables nested too deeply");
  if (IsArray(L)) {
    size_t n = lua_objlen(L, -1);
    EncodeContainerHeader(L, buffer, 0x90, 0xdc, n);
    for (size_t i = 1; i <= n; i++) {
      lua_pushnumber(L, static_cast<lua_Number>(i));
      lua_gettable(L, -2);
      EncodeValue(L, buffer, level + 1);
    }
    return;
  }
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    n++;
  }
  EncodeContainerHeader(L, buffer, 0x80, 0xde, n);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pushvalue(L, -2);  // ... key value key
    EncodeValue(L, buffer, level + 1);
    EncodeValue(L, buffer, level + 1);
  }
}

// Encodes the value on top of the stack and pops it.
void EncodeValue(lua_State* L, PackBuffer* buffer, int level) {
  int type = lua_type(L, -1);
  if (type == LUA_TTABLE && level == kMaxNesting) type = LUA_TNIL;
  switch (type) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      EncodeString(L, buffer, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      AppendTagged(L, buffer, lua_toboolean(L, -1) ? 0xc3 : 0xc2, 0, 0);
      break;
    case LUA_TNUMBER:
      EncodeNumber(L, buffer, lua_tonumber(L, -1));
      break;
    case LUA_TTABLE:
      EncodeTable(L, buffer, level);
      break;
    default:
      AppendTagged(L, buffer, 0xc0, 0, 0);
      break;
  }
  lua_pop(L, 1);
}

// cmsgpack.pack(v1, v2, ...): the encodings of the arguments, concatenated.
int Pack(lua_State* L) {
  int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  if (!lua_checkstack(L, 8)) return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  auto* buffer = static_cast<PackBuffer*>(lua_newuserdata(L, sizeof(PackBuffer)));
  buffer->bytes = nullptr;
  buffer->len = buffer->capacity = 0;
  luaL_getmetatable(L, kBufferMetatable);
  lua_setmetatable(L, -2);
  for (int i = 1; i <= nargs; i++) {
    lua_pushvalue(L, i);
    EncodeValue(L, buffer, 0);
  }
  lua_pushlstring(L, reinterpret_cast<const char*>(buffer->bytes), buffer->len);
  std::free(buffer->bytes);
  buffer->bytes = nullptr;
  buffer->len = buffer->capacity = 0;
  return 1;
}

// ---------------------------------------------------------------- decoding

struct Cursor {
  const unsigned char* p;
  size_t left;
};

void Need(lua_State* L, const Cursor* c, size_t n) {
  if (c->left < n) luaL_error(L, "Missing bytes in input.");
}

void Consume(Cursor* c, size_t n) {
  c->p += n;
  c->left -= n;
}

uint64_t ReadBigEndian(const unsigned char* p, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; i++) v = (v << 8) | p[i];
  return v;
}

// Reads a `width`-byte big-endian length or integer that follows the tag byte.
uint64_t ReadAfterTag(lua_State* L, Cursor* c, int width) {
  Need(L, c, 1 + width);
  uint64_t v = ReadBigEndian(c->p + 1, width);
  Consume(c, 1 + width);
  return v;
}

void DecodeValue(lua_State* L, Cursor* c);

void DecodeString(lua_State* L, Cursor* c, size_t len) {
  Need(L, c, len);
  lua_pushlstring(L, reinterpret_cast<const char*>(c->p), len);
  Consume(c, len);
}

void DecodeArray(lua_State* L, Cursor* c, uint64_t n) {
  lua_newtable(L);
  for (uint64_t i = 1; i <= n; i++) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    DecodeValue(L, c);
    lua_settable(L, -3);
  }
}

void DecodeMap(lua_State* L, Cursor* c, uint64_t n) {
  lua_newtable(L);
  for (uint64_t i = 0; i < n; i++) {
    DecodeValue(L, c);
    DecodeValue(L, c);
    lua_settable(L, -3);
  }
}

// Decodes one value at the cursor and pushes it; raises on truncated or
// malformed input.
void DecodeValue(lua_State* L, Cursor* c) {
  Need(L, c, 1);
  luaL_checkstack(L, 2, kTooManyValues);
  unsigned char tag = c->p[0];
  if (tag <= 0x7f) {
    lua_pushnumber(L, tag);
    return Consume(c, 1);
  }
  if (tag >= 0xe0) {
    lua_pushnumber(L, static_cast<int8_t>(tag));
    return Consume(c, 1);
  }
  if ((tag & 0xe0) == 0xa0) {
    Consume(c, 1);
    return DecodeString(L, c, tag & 0x1f);
  }
  if ((tag & 0xf0) == 0x90) {
    Consume(c, 1);
    return DecodeArray(L, c, tag & 0x0f);
  }
  if ((tag & 0xf0) == 0x80) {
    Consume(c, 1);
    return DecodeMap(L, c, tag & 0x0f);
  }
  switch (tag) {
    case 0xc0:
      lua_pushnil(L);
      return Consume(c, 1);
    case 0xc2:
    case 0xc3:
      lua_pushboolean(L, tag == 0xc3);
      return Consume(c, 1);
    case 0xca: {
      auto bits = static_cast<uint32_t>(ReadAfterTag(L, c, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      return lua_pushnumber(L, f);
    }
    case 0xcb: {
      uint64_t bits = ReadAfterTag(L, c, 8);
      double d;
      std::memcpy(&d, &bits, 8);
      return lua_pushnumber(L, d);
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf: {
      // uint64 values past INT64_MAX come back negative, as Redis's do.
      uint64_t v = ReadAfterTag(L, c, 1 << (tag - 0xcc));
      return lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(v)));
    }
    case 0xd0:
      return lua_pushnumber(L, static_cast<int8_t>(ReadAfterTag(L, c, 1)));
    case 0xd1:
      return lua_pushnumber(L, static_cast<int16_t>(ReadAfterTag(L, c, 2)));
    case 0xd2:
      return lua_pushnumber(L, static_cast<int32_t>(ReadAfterTag(L, c, 4)));
    case 0xd3:
      return lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(ReadAfterTag(L, c, 8))));
    case 0xd9:
      return DecodeString(L, c, ReadAfterTag(L, c, 1));
    case 0xda:
      return DecodeString(L, c, ReadAfterTag(L, c, 2));
    case 0xdb:
      return DecodeString(L, c, ReadAfterTag(L, c, 4));
    case 0xdc:
      return DecodeArray(L, c, ReadAfterTag(L, c, 2));
    case 0xdd:
      return DecodeArray(L, c, ReadAfterTag(L, c, 4));
    case 0xde:
      return DecodeMap(L, c, ReadAfterTag(L, c, 2));
    case 0xdf:
      return DecodeMap(L, c, ReadAfterTag(L, c, 4));
    default:
      luaL_error(L, "Bad data format in input.");
  }
}

// Decodes up to `limit` values of argument 1 starting at byte `offset`.
// limit == offset == 0 means "everything, and no offset in the reply"
// (cmsgpack.unpack); otherwise the first reply is the offset of the next
// value, or -1 when the input was consumed.
int Unpack(lua_State* L, lua_Integer limit, lua_Integer offset) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  bool decode_all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    // Redis's message prints the input length where it says "limit".
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (decode_all) limit = INT_MAX;
  Cursor cursor{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset)};
  int count = 0;
  while (cursor.left > 0 && count < limit) {
    DecodeValue(L, &cursor);
    count++;
  }
  if (decode_all) return count;
  luaL_checkstack(L, 1, kTooManyValues);
  lua_pushinteger(L, cursor.left == 0 ? -1 : static_cast<lua_Integer>(len - cursor.left));
  lua_insert(L, 2);
  return count + 1;
}

// cmsgpack.unpack(s): every value encoded in s.
int UnpackAll(lua_State* L) { return Unpack(L, 0, 0); }

// cmsgpack.unpack_one(s [, offset]): next offset (or -1), then one value.
int UnpackOne(lua_State* L) {
  lua_Integer offset = luaL_optinteger(L, 2, 0);
  lua_settop(L, 1);
  return Unpack(L, 1, offset);
}

// cmsgpack.unpack_limit(s, limit [, offset]): next offset (or -1), then up
// to `limit` values.
int UnpackLimit(lua_State* L) {
  lua_Integer limit = luaL_checkinteger(L, 2);
  lua_Integer offset = luaL_optinteger(L, 3, 0);
  lua_settop(L, 1);
  return Unpack(L, limit, offset);
}

const luaL_Reg kFunctions[] = {
    {"pack", Pack},
    {"unpack", UnpackAll},
    {"unpack_one", UnpackOne},
    {"unpack_limit", UnpackLimit},
    {nullptr, nullptr},
};

}  // namespace

extern "C" int luaopen_cmsgpack(lua_State* L) {
  luaL_newmetatable(L, kBufferMetatable);
  lua_pushcfunction(L, PackBufferGc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);

  lua_newtable(L);
  luaL_register(L, nullptr, kFunctions);
  // The identification fields of the library Redis bundles; scripts may read them.
  lua_pushliteral(L, "cmsgpack");
  lua_setfield(L, -2, "_NAME");
  lua_pushliteral(L, "lua-cmsgpack 0.4.0");
  lua_setfield(L, -2, "_VERSION");
  lua_pushliteral(L, "Copyright (C) 2012, Salvatore Sanfilippo");
  lua_setfield(L, -2, "_COPYRIGHT");
  lua_pushliteral(L, "MessagePack C implementation for Lua");
  lua_setfield(L, -2, "_DESCRIPTION");
  lua_pushvalue(L, -1);
  lua_setglobal(L, "cmsgpack");
  return 1;
}
