// Tests for the Redis-format logger (log.h).
#include "common/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace lodestone {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "lodestone_log_test_" + std::to_string(getpid()) + ".log";
    std::remove(path_.c_str());
    LogInit(LogLevel::kVerbose, path_);
  }
  void TearDown() override {
    LogInit(LogLevel::kNotice, "");
    SetLogRole('M');
    std::remove(path_.c_str());
  }

  std::vector<std::string> Lines() const {
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::string path_;
};

TEST_F(LogTest, LineFormatIsRedis) {
  Log(LogLevel::kNotice, "Ready to accept connections %s", "tcp");
  Log(LogLevel::kWarning, "warning %d", 42);
  Log(LogLevel::kVerbose, "verbose");
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  const std::string pid = std::to_string(getpid());
  const std::string stamp = R"( \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} )"
                            R"(\d\d:\d\d:\d\d\.\d{3} )";
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex(pid + ":M" + stamp + R"(\* Ready to accept connections tcp)")))
      << lines[0];
  EXPECT_TRUE(std::regex_match(lines[1], std::regex(pid + ":M" + stamp + "# warning 42")))
      << lines[1];
  EXPECT_TRUE(std::regex_match(lines[2], std::regex(pid + ":M" + stamp + "- verbose"))) << lines[2];
}

TEST_F(LogTest, LevelFilters) {
  Log(LogLevel::kDebug, "hidden");
  SetLogLevel(LogLevel::kDebug);
  EXPECT_EQ(GetLogLevel(), LogLevel::kDebug);
  Log(LogLevel::kDebug, "shown");
  SetLogLevel(LogLevel::kWarning);
  Log(LogLevel::kNotice, "hidden");
  EXPECT_FALSE(ShouldLog(LogLevel::kNotice));
  EXPECT_TRUE(ShouldLog(LogLevel::kWarning));
  SetLogLevel(LogLevel::kNothing);
  Log(LogLevel::kWarning, "hidden");
  EXPECT_FALSE(ShouldLog(LogLevel::kWarning));
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(" . shown"), std::string::npos) << lines[0];
}

TEST_F(LogTest, RoleCharacter) {
  SetLogRole('S');
  Log(LogLevel::kNotice, "replica");
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].substr(0, std::to_string(getpid()).size() + 3),
            std::to_string(getpid()) + ":S ");
}

TEST_F(LogTest, LongMessagesAreTruncatedLikeRedis) {
  std::string big(5000, 'x');
  Log(LogLevel::kNotice, "%s", big.c_str());
  LogRaw(LogLevel::kNotice, big);
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].substr(lines[0].find(" * ") + 3), std::string(kLogMaxLen - 1, 'x'));
  EXPECT_EQ(lines[1].substr(lines[1].find(" * ") + 3), big);
}

TEST_F(LogTest, ConcurrentLinesDoNotInterleave) {
  constexpr int kThreads = 8;
  constexpr int kLinesPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      std::string body(100, static_cast<char>('a' + t));
      for (int i = 0; i < kLinesPerThread; ++i) Log(LogLevel::kNotice, "%s", body.c_str());
    });
  }
  for (std::thread& th : threads) th.join();
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLinesPerThread));
  for (const std::string& line : lines) {
    std::string body = line.substr(line.find(" * ") + 3);
    ASSERT_EQ(body, std::string(100, body[0]));
  }
}

TEST(LogLevelTest, ParseAndName) {
  const LogLevel levels[] = {LogLevel::kDebug, LogLevel::kVerbose, LogLevel::kNotice,
                             LogLevel::kWarning, LogLevel::kNothing};
  for (LogLevel level : levels) {
    LogLevel parsed = LogLevel::kDebug;
    ASSERT_TRUE(ParseLogLevel(LogLevelName(level), &parsed)) << LogLevelName(level);
    EXPECT_EQ(parsed, level);
  }
  LogLevel parsed = LogLevel::kDebug;
  EXPECT_TRUE(ParseLogLevel("WARNING", &parsed));
  EXPECT_EQ(parsed, LogLevel::kWarning);
  EXPECT_FALSE(ParseLogLevel("warn", &parsed));
  EXPECT_FALSE(ParseLogLevel("", &parsed));
  EXPECT_STREQ(LogLevelName(LogLevel::kNotice), "notice");
  EXPECT_STREQ(LogLevelName(LogLevel::kNothing), "nothing");
}

}  // namespace
}  // namespace lodestone
