// Tests for the cmsgpack Lua library (lua_cmsgpack.cc). Expected encodings
// and error texts were taken from Redis 7 running the same snippets.
#include "scripting/lua_cmsgpack.h"

#include <gtest/gtest.h>

#include <string>

#include "scripting/lua_library_test_util.h"

namespace lodestone {
namespace {

class CmsgpackTest : public ::testing::Test {
 protected:
  std::string Hex(const std::string& args) { return lua_.Run("return hex(cmsgpack.pack(" + args + "))"); }
  LuaLibraryState lua_;
};

TEST_F(CmsgpackTest, Integers) {
  EXPECT_EQ(Hex("0"), "00");
  EXPECT_EQ(Hex("127"), "7f");
  EXPECT_EQ(Hex("128"), "cc80");
  EXPECT_EQ(Hex("255"), "ccff");
  EXPECT_EQ(Hex("256"), "cd0100");
  EXPECT_EQ(Hex("65536"), "ce00010000");
  EXPECT_EQ(Hex("2^32"), "cf0000000100000000");
  EXPECT_EQ(Hex("-1"), "ff");
  EXPECT_EQ(Hex("-32"), "e0");
  EXPECT_EQ(Hex("-33, -129, -32769"), "d0dfd1ff7fd2ffff7fff");
  EXPECT_EQ(Hex("-1099511627776"), "d3ffffff0000000000");
  EXPECT_EQ(Hex("-2^63"), "d38000000000000000");
}

TEST_F(CmsgpackTest, FloatsUseFloat32WhenExact) {
  EXPECT_EQ(Hex("0.1"), "cb3fb999999999999a");
  EXPECT_EQ(Hex("0.5"), "ca3f000000");
  EXPECT_EQ(Hex("1/0"), "ca7f800000");
  EXPECT_EQ(Hex("2^63"), "ca5f000000");
  EXPECT_EQ(Hex("2^64"), "ca5f800000");
}

TEST_F(CmsgpackTest, StringsAndScalars) {
  EXPECT_EQ(Hex("''"), "a0");
  EXPECT_EQ(lua_.Run("return hex(cmsgpack.pack(string.rep('x', 32))) == 'd920' .. string.rep('78', 32)"), "true");
  EXPECT_EQ(lua_.Run("return #cmsgpack.pack(string.rep('x', 31))"), "32");
  EXPECT_EQ(lua_.Run("return hex(cmsgpack.pack(string.rep('x', 256)):sub(1, 3))"), "da0100");
  EXPECT_EQ(lua_.Run("return hex(cmsgpack.pack(string.rep('x', 65536)):sub(1, 5))"), "db00010000");
  EXPECT_EQ(Hex("true, false, nil"), "c3c2c0");
  EXPECT_EQ(Hex("hex"), "c0");
}

TEST_F(CmsgpackTest, TablesAsArraysOrMaps) {
  EXPECT_EQ(Hex("{}"), "90");
  EXPECT_EQ(Hex("{1, 2, 3}"), "93010203");
  EXPECT_EQ(Hex("{a=1}"), "81a16101");
  EXPECT_EQ(Hex("{1, 2, nil, 4}"), "83010102020404");
  EXPECT_EQ(Hex("{[1]=1, [3]=3}"), "8201010303");
  EXPECT_EQ(Hex("{[1.5]=1}"), "81ca3fc0000001");
  EXPECT_EQ(lua_.Run("local t = {} for i = 1, 16 do t[i] = i end return hex(cmsgpack.pack(t):sub(1, 3))"),
            "dc0010");
}

TEST_F(CmsgpackTest, CircularReferencesStopAtDepth16) {
  EXPECT_EQ(lua_.Run(R"(
    local a = {x=nil, y=5}
    local b = {x=a}
    a['x'] = b
    local re = cmsgpack.unpack(cmsgpack.pack(a))
    assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.y == re.y)
    assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x)
    assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x == nil)
    return hex(cmsgpack.pack(a)))"),
            "82a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a178"
            "82a17905a17881a17882a17905a17881a17882a17905a17881a178c0");
}

TEST_F(CmsgpackTest, RedisSmokeTestRoundTrips) {
  EXPECT_EQ(lua_.Run(R"(
    local str_lt_32 = string.rep("x", 30)
    local str_lt_255 = string.rep("x", 250)
    local str_lt_65535 = string.rep("x", 65530)
    local str_long = string.rep("x", 100000)
    local array_big = {}
    for i = 1, 100000 do array_big[i] = i end
    local map_big = {}
    for i = 1, 100000 do map_big[tostring(i)] = i end
    local some_map = {s1=str_lt_32, s2=str_lt_255, s3=str_lt_65535, s4=str_long, d1=0.1,
      i1=1, i2=250, i3=65530, i4=100000, i5=2^40, i6=-1, i7=-120, i8=-32000, i9=-100000,
      i10=-3147483648, a1={1, 2, 3, 4, 5}, a3=array_big, m1={a=1, b=2}, m2=map_big,
      b1=false, b2=true}
    local decoded = cmsgpack.unpack(cmsgpack.pack(some_map))
    for k, v in pairs(some_map) do
      if type(v) ~= 'table' then assert(decoded[k] == v, k) end
    end
    assert(#decoded.a3 == 100000 and decoded.a3[99999] == 99999)
    assert(decoded.m2['77777'] == 77777 and decoded.m1.b == 2)
    local offset, one = cmsgpack.unpack_one(cmsgpack.pack(some_map), 0)
    assert(offset == -1 and one.s4 == str_long)
    local multiple = cmsgpack.pack(str_lt_32, str_lt_255, str_lt_65535, str_long)
    local offset, obj = cmsgpack.unpack_limit(multiple, 1, 0)
    assert(obj == str_lt_32)
    offset, obj = cmsgpack.unpack_limit(multiple, 1, offset)
    assert(obj == str_lt_255)
    offset, obj = cmsgpack.unpack_limit(multiple, 1, offset)
    assert(obj == str_lt_65535)
    offset, obj = cmsgpack.unpack_limit(multiple, 1, offset)
    assert(obj == str_long and offset == -1)
    return 'ok')"),
            "ok");
}

TEST_F(CmsgpackTest, UnpackForms) {
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('010203'))"), "1 2 3");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack('')"), "");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack_limit(unhex('010203'), 0)"), "1 2 3");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack_limit(unhex('010203'), 2)"), "2 1 2");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack_one(unhex('010203'), 3)"), "-1");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack_one(unhex('010203'), 2)"), "-1 3");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('cfffffffffffffffff'))"), "-1");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('d0ffd1fffed2fffffffdcc80cd8000ce80000000'))"),
            "-1 -2 -3 128 32768 2147483648");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('ca3fc00000cb3ff8000000000000c3c2'))"),
            "1.5 1.5 true false");
  EXPECT_EQ(lua_.Run("local t = cmsgpack.unpack(unhex('92a161de0001a162c0')) return t[1], t[2].b"),
            "a nil");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('d90361626364020061'))"), "abc 100 2 0 97");
}

TEST_F(CmsgpackTest, Errors) {
  EXPECT_EQ(lua_.Run("return cmsgpack.pack()"),
            "error: test:1: bad argument #0 to 'pack' (MessagePack pack needs input.)");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('c1'))"), "error: test:1: Bad data format in input.");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('c4'))"), "error: test:1: Bad data format in input.");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('9201'))"), "error: test:1: Missing bytes in input.");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('cd01'))"), "error: test:1: Missing bytes in input.");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('dbffffffff41'))"), "error: test:1: Missing bytes in input.");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('ddffffffff01'))"), "error: test:1: Missing bytes in input.");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack_one(unhex('01'), -1)"),
            "error: test:1: Invalid request to unpack with offset of -1 and limit of 1.");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack_one(unhex('01'), 5)"),
            "error: test:1: Start offset 5 greater than input length 1.");
  EXPECT_EQ(lua_.Run("return cmsgpack.unpack(unhex('81c001'))"), "error: table index is nil");
}

TEST_F(CmsgpackTest, DeepNestingInInputFailsCleanly) {
  // 100000 nested one-element arrays: the Lua stack limit stops the decoder.
  std::string result = lua_.Run("return cmsgpack.unpack(string.rep(unhex('91'), 100000) .. unhex('01'))");
  EXPECT_NE(result.find("too many return values"), std::string::npos) << result;
  EXPECT_EQ(lua_.Run("return 1"), "1");
}

}  // namespace
}  // namespace lodestone
