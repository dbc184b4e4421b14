// Conversions between RESP replies and Lua values, as Redis's scripting
// does them.
//
//   RESP -> Lua (a redis.call reply)       Lua -> RESP (a script's result)
//   integer      number                    number      integer (truncated)
//   bulk         string                    string      bulk
//   null bulk/array  false (RESP2)         false       null (RESP2) / #f (RESP3)
//   null (RESP3) nil                       true        1 (RESP2) / #t (RESP3)
//   array        array table               {err=s}     error
//   status       {ok=s}                    {ok=s}      status
//   error        {err=s}                   {double=n}  double
//   map          {map={k=v...}}            {map=t}     map
//   set          {set={m=true...}}         {set=t}     set
//   double       {double=n}                {big_number=s} big number
//   big number   {big_number=s}            {verbatim_string={format=,string=}}
//   verbatim     {verbatim_string=...}     array table elements up to the first nil
//   boolean      boolean                   anything else: null
#pragma once

#include <cstddef>
#include <string_view>

struct lua_State;

namespace lodestone {
namespace protocol {
class ReplyBuilder;
}

// Pushes the RESP reply starting at resp[*pos] as one Lua value and
// advances *pos past it. `resp` comes from our own ReplyBuilder, so it is
// well formed. With `L` null the reply is skipped.
void PushRespAsLua(lua_State* L, std::string_view resp, size_t* pos);

// Writes the Lua value on top of the stack as a reply and pops it.
// `script_resp` is the protocol the script chose (redis.setresp), which
// decides how booleans are returned.
void WriteLuaAsReply(lua_State* L, protocol::ReplyBuilder& rb, int script_resp);

}  // namespace lodestone
