// See lua_convert.h for the mapping.
#include "scripting/lua_convert.h"

#include <cstdlib>
#include <string>

#include "common/strings.h"
#include "protocol/reply_builder.h"
#include "scripting/lua_api.h"

namespace lodestone {
namespace {

// The line after a type byte at resp[*pos]; *pos moves past its CRLF.
std::string_view Line(std::string_view resp, size_t* pos) {
  size_t start = *pos + 1;
  size_t end = resp.find("\r\n", start);
  if (end == std::string_view::npos) end = resp.size();
  *pos = end + 2;
  return resp.substr(start, end - start);
}

int64_t LineInt(std::string_view resp, size_t* pos) {
  std::string_view l = Line(resp, pos);
  int64_t v = 0;
  ParseInt64(l, &v);
  return v;
}

std::string_view Bulk(std::string_view resp, size_t* pos, int64_t* len) {
  *len = LineInt(resp, pos);
  if (*len < 0) return {};
  std::string_view s = resp.substr(*pos, size_t(*len));
  *pos += size_t(*len) + 2;
  return s;
}

void SetStringField(lua_State* L, const char* field, std::string_view value) {
  lua_newtable(L);
  lua_pushstring(L, field);
  lua_pushlstring(L, value.data(), value.size());
  lua_settable(L, -3);
}

}  // namespace

void PushRespAsLua(lua_State* L, std::string_view resp, size_t* pos) {
  if (*pos >= resp.size()) {
    if (L != nullptr) lua_pushnil(L);
    return;
  }
  if (L != nullptr) lua_checkstack(L, 4);
  char type = resp[*pos];
  switch (type) {
    case ':': {
      int64_t v = LineInt(resp, pos);
      if (L != nullptr) lua_pushnumber(L, lua_Number(v));
      return;
    }
    case '$': {
      int64_t len;
      std::string_view s = Bulk(resp, pos, &len);
      if (L == nullptr) return;
      if (len < 0) {
        lua_pushboolean(L, 0);
      } else {
        lua_pushlstring(L, s.data(), s.size());
      }
      return;
    }
    case '+': {
      std::string_view s = Line(resp, pos);
      if (L != nullptr) SetStringField(L, "ok", s);
      return;
    }
    case '-': {
      std::string_view s = Line(resp, pos);
      if (L == nullptr) return;
      std::string text = "-" + std::string(s);
      PushErrorTable(L, text.data(), text.size());
      lua_pushstring(L, "ignore_error_stats_update");
      lua_pushboolean(L, 1);
      lua_settable(L, -3);
      return;
    }
    case '*':
    case '~':
    case '>': {
      int64_t n = LineInt(resp, pos);
      if (n < 0) {
        if (L != nullptr) lua_pushboolean(L, 0);
        return;
      }
      if (L == nullptr) {
        for (int64_t i = 0; i < n; i++) PushRespAsLua(nullptr, resp, pos);
        return;
      }
      if (type == '~') {
        lua_newtable(L);
        lua_pushstring(L, "set");
        lua_newtable(L);
        for (int64_t i = 0; i < n; i++) {
          PushRespAsLua(L, resp, pos);
          lua_checkstack(L, 1);
          lua_pushboolean(L, 1);
          lua_settable(L, -3);
        }
        lua_settable(L, -3);
        return;
      }
      lua_newtable(L);
      for (int64_t i = 0; i < n; i++) {
        lua_pushnumber(L, lua_Number(i + 1));
        PushRespAsLua(L, resp, pos);
        lua_settable(L, -3);
      }
      return;
    }
    case '%': {
      int64_t n = LineInt(resp, pos);
      if (L == nullptr) {
        for (int64_t i = 0; i < 2 * n; i++) PushRespAsLua(nullptr, resp, pos);
        return;
      }
      lua_newtable(L);
      lua_pushstring(L, "map");
      lua_newtable(L);
      for (int64_t i = 0; i < n; i++) {
        PushRespAsLua(L, resp, pos);
        PushRespAsLua(L, resp, pos);
        lua_settable(L, -3);
      }
      lua_settable(L, -3);
      return;
    }
    case '|': {  // attributes: skipped, then the reply itself
      int64_t n = LineInt(resp, pos);
      for (int64_t i = 0; i < 2 * n; i++) PushRespAsLua(nullptr, resp, pos);
      PushRespAsLua(L, resp, pos);
      return;
    }
    case '_':
      Line(resp, pos);
      if (L != nullptr) lua_pushnil(L);
      return;
    case '#': {
      std::string_view s = Line(resp, pos);
      if (L != nullptr) lua_pushboolean(L, s == "t");
      return;
    }
    case ',': {
      std::string text(Line(resp, pos));
      if (L == nullptr) return;
      lua_newtable(L);
      lua_pushstring(L, "double");
      lua_pushnumber(L, strtod(text.c_str(), nullptr));
      lua_settable(L, -3);
      return;
    }
    case '(': {
      std::string_view s = Line(resp, pos);
      if (L != nullptr) SetStringField(L, "big_number", s);
      return;
    }
    case '=': {
      int64_t len;
      std::string_view s = Bulk(resp, pos, &len);
      if (L == nullptr) return;
      std::string_view format = s.substr(0, 3);
      std::string_view body = s.size() >= 4 ? s.substr(4) : std::string_view();
      lua_newtable(L);
      lua_pushstring(L, "verbatim_string");
      lua_newtable(L);
      lua_pushstring(L, "string");
      lua_pushlstring(L, body.data(), body.size());
      lua_settable(L, -3);
      lua_pushstring(L, "format");
      lua_pushlstring(L, format.data(), format.size());
      lua_settable(L, -3);
      lua_settable(L, -3);
      return;
    }
    default:
      *pos = resp.size();
      if (L != nullptr) lua_pushnil(L);
  }
}

namespace {

// The string field `name` of the table on top, or false.
bool StringField(lua_State* L, const char* name, std::string* out) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  bool ok = lua_type(L, -1) == LUA_TSTRING;
  if (ok) {
    size_t len;
    const char* s = lua_tolstring(L, -1, &len);
    out->assign(s, len);
  }
  lua_pop(L, 1);
  return ok;
}

std::string NoNewlines(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

}  // namespace

void WriteLuaAsReply(lua_State* L, protocol::ReplyBuilder& rb, int script_resp) {
  if (!lua_checkstack(L, 4)) {
    rb.Error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      rb.Bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, -1)) {
          rb.Integer(1);
        } else {
          rb.Null();
        }
      } else {
        rb.Bool(lua_toboolean(L, -1));
      }
      break;
    case LUA_TNUMBER:
      rb.Integer(int64_t(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE: {
      std::string s;
      if (StringField(L, "err", &s)) {
        // Redis keeps the code the table carries ("ERR ...", "WRONGTYPE ...").
        if (ErrorAlreadyCounted(L)) {
          rb.ErrorCountedElsewhere(s);
        } else {
          rb.Error(s);
        }
        break;
      }
      if (StringField(L, "ok", &s)) {
        rb.SimpleString(NoNewlines(s));
        break;
      }
      lua_pushstring(L, "double");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TNUMBER) {
        rb.Double(lua_tonumber(L, -1));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (StringField(L, "big_number", &s)) {
        rb.BigNumber(NoNewlines(s));
        break;
      }
      lua_pushstring(L, "verbatim_string");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        std::string format, body;
        if (StringField(L, "format", &format) && StringField(L, "string", &body)) {
          rb.Verbatim(body, format);
          lua_pop(L, 2);
          return;
        }
      }
      lua_pop(L, 1);
      lua_pushstring(L, "map");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        size_t token = rb.BeginDeferred();
        size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pushvalue(L, -2);
          WriteLuaAsReply(L, rb, script_resp);  // key
          WriteLuaAsReply(L, rb, script_resp);  // value
          n++;
        }
        rb.EndDeferredMap(token, n);
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      lua_pushstring(L, "set");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        size_t token = rb.BeginDeferred();
        size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          WriteLuaAsReply(L, rb, script_resp);
          n++;
        }
        rb.EndDeferredSet(token, n);
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      size_t token = rb.BeginDeferred();
      size_t n = 0;
      for (int j = 1;; j++) {
        lua_pushnumber(L, j);
        lua_rawget(L, -2);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          break;
        }
        WriteLuaAsReply(L, rb, script_resp);
        n++;
      }
      rb.EndDeferredArray(token, n);
      break;
    }
    default:
      rb.Null();
  }
  lua_pop(L, 1);
}

}  // namespace lodestone
