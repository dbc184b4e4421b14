// Exact RESP2 and RESP3 bytes for every ReplyBuilder call.
#include "protocol/reply_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "protocol/errors.h"

namespace lodestone::protocol {
namespace {

using namespace std::string_literals;

class ReplyBuilderTest : public ::testing::Test {
 protected:
  std::string out2_;
  std::string out3_;
  ReplyBuilder rb2_{&out2_, 2};
  ReplyBuilder rb3_{&out3_, 3};
};

TEST_F(ReplyBuilderTest, SimpleStringAndOk) {
  rb2_.SimpleString("PONG");
  rb2_.Ok();
  rb2_.SimpleString("");
  EXPECT_EQ(out2_, "+PONG\r\n+OK\r\n+\r\n");
  rb3_.Ok();
  EXPECT_EQ(out3_, "+OK\r\n");
}

TEST_F(ReplyBuilderTest, Error) {
  rb2_.Error(kSyntaxError);
  EXPECT_EQ(out2_, "-ERR syntax error\r\n");
  EXPECT_EQ(rb2_.errors(), 1u);
  EXPECT_EQ(rb2_.last_error(), "ERR syntax error");
  rb2_.Error(kWrongType);
  EXPECT_EQ(rb2_.errors(), 2u);
  EXPECT_EQ(rb2_.last_error(), kWrongType);
  EXPECT_EQ(out2_, "-ERR syntax error\r\n-" + std::string(kWrongType) + "\r\n");
}

TEST_F(ReplyBuilderTest, ErrorReplacesNewlines) {
  rb3_.Error("ERR bad\r\nthing\n");
  EXPECT_EQ(out3_, "-ERR bad  thing \r\n");
  EXPECT_EQ(rb3_.last_error(), "ERR bad  thing ");
  EXPECT_EQ(rb3_.errors(), 1u);
}

TEST_F(ReplyBuilderTest, Integer) {
  for (ReplyBuilder* rb : {&rb2_, &rb3_}) {
    rb->Integer(0);
    rb->Integer(1);
    rb->Integer(9);
    rb->Integer(10);
    rb->Integer(99);
    rb->Integer(100);
    rb->Integer(-1);
    rb->Integer(-100);
    rb->Integer(std::numeric_limits<int64_t>::max());
    rb->Integer(std::numeric_limits<int64_t>::min());
  }
  const std::string expected =
      ":0\r\n:1\r\n:9\r\n:10\r\n:99\r\n:100\r\n:-1\r\n:-100\r\n"
      ":9223372036854775807\r\n:-9223372036854775808\r\n";
  EXPECT_EQ(out2_, expected);
  EXPECT_EQ(out3_, expected);
}

TEST_F(ReplyBuilderTest, Bulk) {
  rb2_.Bulk("foo");
  rb2_.Bulk("");
  rb2_.Bulk("a\0\r\nb"s);
  EXPECT_EQ(out2_, "$3\r\nfoo\r\n$0\r\n\r\n$5\r\na\0\r\nb\r\n"s);
  out2_.clear();
  const std::string big(12345, 'x');
  rb2_.Bulk(big);
  EXPECT_EQ(out2_, "$12345\r\n" + big + "\r\n");
  out2_.clear();
  const std::string medium(99, 'y');
  rb2_.Bulk(medium);
  rb2_.Bulk(std::string(100, 'z'));
  EXPECT_EQ(out2_, "$99\r\n" + medium + "\r\n$100\r\n" + std::string(100, 'z') + "\r\n");
}

TEST_F(ReplyBuilderTest, Nulls) {
  rb2_.Null();
  rb2_.NullArray();
  EXPECT_EQ(out2_, "$-1\r\n*-1\r\n");
  rb3_.Null();
  rb3_.NullArray();
  EXPECT_EQ(out3_, "_\r\n_\r\n");
}

TEST_F(ReplyBuilderTest, Aggregates) {
  for (ReplyBuilder* rb : {&rb2_, &rb3_}) {
    rb->ArrayHeader(2);
    rb->MapHeader(3);
    rb->SetHeader(4);
    rb->PushHeader(5);
    rb->EmptyArray();
    rb->ArrayHeader(1000);
  }
  EXPECT_EQ(out2_, "*2\r\n*6\r\n*4\r\n*5\r\n*0\r\n*1000\r\n");
  EXPECT_EQ(out3_, "*2\r\n%3\r\n~4\r\n>5\r\n*0\r\n*1000\r\n");
}

TEST_F(ReplyBuilderTest, Double) {
  rb2_.Double(3.5);
  rb2_.Double(0.1);
  rb2_.Double(-2);
  rb2_.Double(1e20);
  rb2_.Double(std::numeric_limits<double>::infinity());
  rb2_.Double(-std::numeric_limits<double>::infinity());
  rb2_.Double(std::nan(""));
  EXPECT_EQ(out2_,
            "$3\r\n3.5\r\n$3\r\n0.1\r\n$2\r\n-2\r\n$5\r\n1e+20\r\n"
            "$3\r\ninf\r\n$4\r\n-inf\r\n$3\r\nnan\r\n");
  rb3_.Double(3.5);
  rb3_.Double(0.1);
  rb3_.Double(-2);
  rb3_.Double(1e20);
  rb3_.Double(std::numeric_limits<double>::infinity());
  rb3_.Double(-std::numeric_limits<double>::infinity());
  rb3_.Double(std::nan(""));
  rb3_.Double(-0.0);
  EXPECT_EQ(out3_, ",3.5\r\n,0.1\r\n,-2\r\n,1e+20\r\n,inf\r\n,-inf\r\n,nan\r\n,-0\r\n");
}

TEST_F(ReplyBuilderTest, DoubleLongestForm) {
  const double v = -1.2345678901234567e-300;
  rb3_.Double(v);
  ASSERT_GE(out3_.size(), 3u);
  EXPECT_EQ(out3_.front(), ',');
  EXPECT_EQ(out3_.substr(out3_.size() - 2), "\r\n");
  EXPECT_EQ(std::stod(out3_.substr(1, out3_.size() - 3)), v);
}

TEST_F(ReplyBuilderTest, Bool) {
  rb2_.Bool(true);
  rb2_.Bool(false);
  EXPECT_EQ(out2_, ":1\r\n:0\r\n");
  rb3_.Bool(true);
  rb3_.Bool(false);
  EXPECT_EQ(out3_, "#t\r\n#f\r\n");
}

TEST_F(ReplyBuilderTest, BigNumber) {
  rb2_.BigNumber("-123456789012345678901234567890");
  EXPECT_EQ(out2_, "$31\r\n-123456789012345678901234567890\r\n");
  rb3_.BigNumber("-123456789012345678901234567890");
  EXPECT_EQ(out3_, "(-123456789012345678901234567890\r\n");
}

TEST_F(ReplyBuilderTest, Verbatim) {
  rb2_.Verbatim("hello");
  EXPECT_EQ(out2_, "$5\r\nhello\r\n");
  rb3_.Verbatim("hello");
  rb3_.Verbatim("# x", "md");
  rb3_.Verbatim("", "markdown");
  EXPECT_EQ(out3_, "=9\r\ntxt:hello\r\n=7\r\nmd :# x\r\n=4\r\nmar:\r\n");
}

TEST_F(ReplyBuilderTest, DeferredArray) {
  out2_ = "+before\r\n";
  const size_t token = rb2_.BeginDeferred();
  rb2_.Bulk("a");
  rb2_.Bulk("b");
  rb2_.EndDeferredArray(token, 2);
  EXPECT_EQ(out2_, "+before\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
}

TEST_F(ReplyBuilderTest, DeferredEmptyAndLarge) {
  size_t token = rb3_.BeginDeferred();
  rb3_.EndDeferredArray(token, 0);
  EXPECT_EQ(out3_, "*0\r\n");
  out3_.clear();
  token = rb3_.BeginDeferred();
  for (int i = 0; i < 150; ++i) rb3_.Integer(i % 2);
  rb3_.EndDeferredSet(token, 150);
  EXPECT_EQ(out3_.substr(0, 6), "~150\r\n");
  EXPECT_EQ(out3_.size(), 6u + 150 * 4);
}

TEST_F(ReplyBuilderTest, DeferredMapAndSet) {
  for (ReplyBuilder* rb : {&rb2_, &rb3_}) {
    const size_t map = rb->BeginDeferred();
    rb->Bulk("k");
    rb->Integer(1);
    rb->EndDeferredMap(map, 1);
    const size_t set = rb->BeginDeferred();
    rb->Bulk("m");
    rb->EndDeferredSet(set, 1);
  }
  EXPECT_EQ(out2_, "*2\r\n$1\r\nk\r\n:1\r\n*1\r\n$1\r\nm\r\n");
  EXPECT_EQ(out3_, "%1\r\n$1\r\nk\r\n:1\r\n~1\r\n$1\r\nm\r\n");
}

TEST_F(ReplyBuilderTest, NestedDeferred) {
  const size_t outer = rb2_.BeginDeferred();
  rb2_.Bulk("x");
  const size_t inner = rb2_.BeginDeferred();
  rb2_.Integer(1);
  rb2_.Integer(2);
  rb2_.EndDeferredArray(inner, 2);
  rb2_.EndDeferredArray(outer, 2);
  EXPECT_EQ(out2_, "*2\r\n$1\r\nx\r\n*2\r\n:1\r\n:2\r\n");
}

TEST_F(ReplyBuilderTest, RawAndSwitching) {
  rb2_.Raw("*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(out2_, "*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(rb2_.resp(), 2);
  rb2_.set_resp(3);
  EXPECT_EQ(rb2_.resp(), 3);
  rb2_.Null();
  std::string other;
  rb2_.set_out(&other);
  EXPECT_EQ(rb2_.out(), &other);
  rb2_.Null();
  EXPECT_EQ(out2_, "*1\r\n$4\r\nPING\r\n_\r\n");
  EXPECT_EQ(other, "_\r\n");
}

}  // namespace
}  // namespace lodestone::protocol
