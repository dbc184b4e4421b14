// Tests for the struct Lua library (lua_struct.cc). Expected bytes and error
// texts were taken from Redis 7 running the same snippets.
#include "scripting/lua_struct.h"

#include <gtest/gtest.h>

#include <string>

#include "scripting/lua_library_test_util.h"

namespace lodestone {
namespace {

class StructTest : public ::testing::Test {
 protected:
  std::string Hex(const std::string& args) { return lua_.Run("return hex(struct.pack(" + args + "))"); }
  std::string Error(const std::string& call) { return lua_.Run("return " + call); }
  LuaLibraryState lua_;
};

TEST_F(StructTest, PackIntegers) {
  EXPECT_EQ(Hex("'>I2', 258"), "0102");
  EXPECT_EQ(Hex("'<I2', 258"), "0201");
  EXPECT_EQ(Hex("'b', -1"), "ff");
  EXPECT_EQ(Hex("'<i3', -2"), "feffff");
  EXPECT_EQ(Hex("'>i10', -2"), "0000fffffffffffffffe");
  EXPECT_EQ(Hex("'>I16', 1"), "00000000000000000000000000000001");
  EXPECT_EQ(Hex("'>l', 1"), "0000000000000001");
  EXPECT_EQ(Hex("'>T', 1"), "0000000000000001");
  EXPECT_EQ(Hex("'h H', -2, 65535"), "feffffff");
}

TEST_F(StructTest, Alignment) {
  EXPECT_EQ(Hex("'!4 b i', 1, 2"), "0100000002000000");
  EXPECT_EQ(Hex("'!2 b i3 h', 1, 2, 3"), "0100020000000300");
  EXPECT_EQ(Hex("'b i', 1, 2"), "0102000000");
  EXPECT_EQ(lua_.Run("return struct.size('!4 b i'), struct.size('bd'), struct.size('!bd')"), "8 9 16");
  EXPECT_EQ(lua_.Run("return struct.size('zq'), struct.size('x c3 !8 d')"), "0 16");
}

TEST_F(StructTest, FloatsAndStrings) {
  EXPECT_EQ(Hex("'>f', 1.5"), "3fc00000");
  EXPECT_EQ(Hex("'<d', 1.5"), "000000000000f83f");
  EXPECT_EQ(Hex("'s', 'ab'"), "616200");
  EXPECT_EQ(Hex("'c', 'ab'"), "61");
  EXPECT_EQ(Hex("'c0', 'abc'"), "616263");
  EXPECT_EQ(Hex("'c2x', 'abc'"), "616200");
}

TEST_F(StructTest, Unpack) {
  EXPECT_EQ(lua_.Run("return struct.unpack('b', unhex('ff'))"), "-1 2");
  EXPECT_EQ(lua_.Run("return struct.unpack('Bc0', unhex('03616263646565'))"), "abc 5");
  EXPECT_EQ(lua_.Run("return struct.unpack('s', unhex('6162006364'))"), "ab 4");
  EXPECT_EQ(lua_.Run("return struct.unpack('>i10', unhex('fffffffffffffffffffe'))"), "-2 11");
  EXPECT_EQ(lua_.Run("return struct.unpack('<b', unhex('ff01'), 2)"), "1 3");
  EXPECT_EQ(lua_.Run("return struct.unpack('>f <d', struct.pack('>f <d', 0.5, 0.25))"), "0.5 0.25 13");
  EXPECT_EQ(lua_.Run("return struct.unpack('!4 b I', struct.pack('!4 b I', 7, 4000000000))"), "7 4000000000 9");
  EXPECT_EQ(lua_.Run("return struct.unpack('<i8', struct.pack('<i8', -5))"), "-5 9");
  EXPECT_EQ(lua_.Run("return struct.unpack('', 'abc')"), "1");
}

TEST_F(StructTest, Errors) {
  EXPECT_EQ(Error("struct.pack('y')"), "error: test:1: bad argument #1 to 'pack' (invalid format option 'y')");
  EXPECT_EQ(Error("struct.size('s')"), "error: test:1: bad argument #1 to 'size' (option 's' has no fixed size)");
  EXPECT_EQ(Error("struct.size('c0')"),
            "error: test:1: bad argument #1 to 'size' (option 'c0' has no fixed size)");
  EXPECT_EQ(Error("struct.pack('!3')"), "error: test:1: alignment 3 is not a power of 2");
  EXPECT_EQ(Error("struct.pack('i33', 1)"), "error: test:1: integral size 33 is larger than limit of 32");
  EXPECT_EQ(Error("struct.pack('i99999999999', 1)"), "error: test:1: integral size overflow");
  EXPECT_EQ(Error("struct.unpack('i', 'ab')"),
            "error: test:1: bad argument #2 to 'unpack' (data string too short)");
  EXPECT_EQ(Error("struct.unpack('c0', 'abc')"), "error: test:1: format 'c0' needs a previous size");
  EXPECT_EQ(Error("struct.unpack('s', 'abc')"), "error: test:1: unfinished string in data");
  EXPECT_EQ(Error("struct.unpack('b', 'a', 0)"),
            "error: test:1: bad argument #3 to 'unpack' (offset must be 1 or greater)");
  EXPECT_EQ(Error("struct.unpack('b', 'a', -1)"),
            "error: test:1: bad argument #2 to 'unpack' (data string too short)");
  EXPECT_EQ(Error("struct.pack('c3', 'ab')"), "error: test:1: bad argument #3 to 'pack' (string too short)");
  EXPECT_EQ(Error("struct.pack('ii', 1)"), "error: test:1: bad argument #3 to 'pack' (number expected, got nil)");
  EXPECT_EQ(Error("struct.pack('iii', 1)"), "error: test:1: bad argument #3 to 'pack' (number expected, got nil)");
  EXPECT_EQ(Error("struct.pack('s', {})"),
            "error: test:1: bad argument #2 to 'pack' (string expected, got table)");
}

}  // namespace
}  // namespace lodestone
