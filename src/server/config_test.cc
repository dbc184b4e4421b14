// ConfigRegistry against the behaviour and texts of Redis 7.4's config.c:
// redis.conf parsing, command-line options, CONFIG GET / SET / REWRITE.
#include "server/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace lodestone {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() : registry_(&cfg_) {}

  // The value CONFIG GET shows for one exact name ("" when unknown).
  std::string Get(std::string_view name) {
    auto reply = registry_.Get({name});
    return reply.empty() ? "" : reply[0].second;
  }

  Status Set(std::string_view name, std::string_view value) {
    return registry_.Set({{name, value}});
  }

  // The error text of loading `text`, "" when it loads.
  std::string LoadError(std::string_view text) {
    Status s = registry_.LoadFromString(text);
    return s.ok() ? "" : s.message();
  }

  ServerConfig cfg_;
  ConfigRegistry registry_;
};

// A directory under /tmp removed (with its files) at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/config_test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << content;
    return file;
  }

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Fatal(int line, const std::string& text, const std::string& err) {
  return "\n*** FATAL CONFIG FILE ERROR (Redis 7.4.0) ***\nReading the configuration file, at "
         "line " +
         std::to_string(line) + "\n>>> '" + text + "'\n" + err;
}

TEST_F(ConfigTest, DefaultsRenderLikeRedis) {
  const std::map<std::string, std::string> expected = {
      {"port", "6379"},
      {"bind", "* -::*"},
      {"save", "3600 1 300 100 60 10000"},
      {"appendonly", "no"},
      {"appendfsync", "everysec"},
      {"dbfilename", "dump.rdb"},
      {"maxmemory", "0"},
      {"maxmemory-policy", "noeviction"},
      {"maxmemory-samples", "5"},
      {"maxclients", "10000"},
      {"timeout", "0"},
      {"tcp-keepalive", "300"},
      {"databases", "16"},
      {"loglevel", "notice"},
      {"logfile", ""},
      {"protected-mode", "yes"},
      {"proto-max-bulk-len", "536870912"},
      {"client-query-buffer-limit", "1073741824"},
      {"client-output-buffer-limit",
       "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
      {"hz", "10"},
      {"daemonize", "no"},
      {"notify-keyspace-events", ""},
      {"hash-max-listpack-entries", "512"},
      {"hash-max-listpack-value", "64"},
      {"set-max-intset-entries", "512"},
      {"set-max-listpack-entries", "128"},
      {"set-max-listpack-value", "64"},
      {"zset-max-listpack-entries", "128"},
      {"zset-max-listpack-value", "64"},
      {"list-max-listpack-size", "-2"},
      {"list-compress-depth", "0"},
      {"busy-reply-threshold", "5000"},
      {"lua-time-limit", "5000"},
      {"slowlog-log-slower-than", "10000"},
      {"slowlog-max-len", "128"},
      {"latency-monitor-threshold", "0"},
      {"tracking-table-max-keys", "1000000"},
      {"lazyfree-lazy-user-del", "no"},
      {"unixsocket", ""},
      {"unixsocketperm", "0"},
      {"enable-debug-command", "yes"},  // Lodestone's default; Redis says "no".
      {"enable-protected-configs", "no"},
      {"io-threads", "1"},
      {"repl-backlog-size", "1048576"},
      {"replicaof", ""},
      {"oom-score-adj-values", "0 200 800"},
      {"latency-tracking-info-percentiles", "50 99 99.9"},
      {"shutdown-on-sigint", "default"},
      {"acl-pubsub-default", "resetchannels"},
      {"active-expire-enabled", "yes"},
  };
  for (const auto& [name, value] : expected) EXPECT_EQ(Get(name), value) << name;
  char cwd[PATH_MAX];
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  EXPECT_EQ(Get("dir"), cwd);
  EXPECT_GE(cfg_.threads, 1);
}

TEST_F(ConfigTest, MemoryUnits) {
  const std::pair<const char*, uint64_t> cases[] = {
      {"100", 100},
      {"1b", 1},
      {"1k", 1000},
      {"1kb", 1024},
      {"1K", 1000},
      {"1KB", 1024},
      {"2m", 2000000},
      {"2mb", 2097152},
      {"1g", 1000000000},
      {"1gb", 1073741824},
      {"1Gb", 1073741824},
      {"", 0},
      {"18446744073709551615", UINT64_MAX},
      {"kb", 0},  // No digits reads as 0 in Redis too.
  };
  for (const auto& [text, bytes] : cases) {
    uint64_t v = 1;
    EXPECT_TRUE(ParseMemory(text, &v)) << text;
    EXPECT_EQ(v, bytes) << text;
    ASSERT_TRUE(Set("maxmemory", text).ok()) << text;
    EXPECT_EQ(Get("maxmemory"), std::to_string(bytes)) << text;
  }
  for (const char* bad : {"-1", "1x", "1kbb", " 1", "+1", "1.5g"}) {
    uint64_t v;
    EXPECT_FALSE(ParseMemory(bad, &v)) << bad;
  }
  EXPECT_EQ(Set("maxmemory", "1x").message(),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must "
            "be a memory value");
  EXPECT_EQ(LoadError("maxmemory 2GB\nproto-max-bulk-len 1g\n"), "");
  EXPECT_EQ(cfg_.maxmemory, 2ULL << 30);
  EXPECT_EQ(cfg_.proto_max_bulk_len, 1000000000);
}

TEST_F(ConfigTest, YesNoEnumsAndBounds) {
  EXPECT_EQ(LoadError("appendonly YES\nprotected-mode No\nloglevel WARNING\n"), "");
  EXPECT_TRUE(cfg_.appendonly);
  EXPECT_FALSE(cfg_.protected_mode);
  EXPECT_EQ(cfg_.loglevel, LogLevel::kWarning);
  EXPECT_EQ(Get("loglevel"), "warning");

  EXPECT_EQ(Set("appendonly", "maybe").message(),
            "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must "
            "be 'yes' or 'no'");
  EXPECT_EQ(Set("port", "abc").message(),
            "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't "
            "be parsed into an integer");
  EXPECT_EQ(Set("port", "70000").message(),
            "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be "
            "between 0 and 65535 inclusive");
  EXPECT_EQ(Set("maxclients", "-1").message(),
            "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must "
            "be between 1 and 4294967295 inclusive");
  EXPECT_EQ(Set("hash-max-listpack-entries", "-1").message(),
            "ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - "
            "argument must be between 0 and 9223372036854775807 inclusive");
  EXPECT_EQ(Set("maxmemory-policy", "lru").message(),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - "
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
            "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
            "noeviction");
  EXPECT_TRUE(Set("maxmemory-policy", "ALLKEYS-LRU").ok());
  EXPECT_EQ(cfg_.maxmemory_policy, MaxmemoryPolicy::kAllkeysLru);
  EXPECT_EQ(Get("maxmemory-policy"), "allkeys-lru");

  // Leading zeros and signs are not integers for Redis.
  EXPECT_FALSE(Set("timeout", "010").ok());
  EXPECT_FALSE(Set("timeout", "+10").ok());
  EXPECT_TRUE(Set("slowlog-log-slower-than", "-1").ok());
  EXPECT_EQ(cfg_.slowlog_log_slower_than, -1);

  // hz is clamped, not rejected.
  EXPECT_TRUE(Set("hz", "1000").ok());
  EXPECT_EQ(Get("hz"), "500");
  EXPECT_TRUE(Set("hz", "0").ok());
  EXPECT_EQ(Get("hz"), "1");

  // maxmemory-clients takes a percentage, stored negated.
  EXPECT_TRUE(Set("maxmemory-clients", "5%").ok());
  EXPECT_EQ(cfg_.maxmemory_clients, -5);
  EXPECT_EQ(Get("maxmemory-clients"), "5%");
  EXPECT_EQ(Set("maxmemory-clients", "101%").message(),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
            "percentage argument must be less or equal to 100");
  EXPECT_EQ(Set("maxmemory-clients", "-5").message(),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
            "argument must be a memory or percent value");

  // Bit-flag enums.
  EXPECT_TRUE(Set("shutdown-on-sigint", "save now").ok());
  EXPECT_EQ(Get("shutdown-on-sigint"), "save now");
  EXPECT_EQ(Set("shutdown-on-sigint", "save nosave").message(),
            "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - "
            "shutdown options SAVE and NOSAVE can't be used simultaneously");
  EXPECT_TRUE(Set("oom-score-adj", "relative").ok());
  EXPECT_EQ(Get("oom-score-adj"), "yes");
}

TEST_F(ConfigTest, OctalUnixSocketPerm) {
  EXPECT_EQ(LoadError("unixsocketperm 700\n"), "");
  EXPECT_EQ(cfg_.unixsocketperm, 0700u);
  EXPECT_EQ(Get("unixsocketperm"), "700");
  EXPECT_EQ(LoadError("unixsocketperm 1777"),
            Fatal(1, "unixsocketperm 1777", "argument must be between 0 and 777 inclusive"));
  EXPECT_EQ(LoadError("unixsocketperm 9"),
            Fatal(1, "unixsocketperm 9", "argument couldn't be parsed as an octal number"));
}

TEST_F(ConfigTest, AliasesSetThePrimaryField) {
  EXPECT_EQ(LoadError("hash-max-ziplist-entries 77\nlua-time-limit 100\n"
                      "list-max-ziplist-size 8\nslaveof 10.0.0.1 6380\n"
                      "list-max-ziplist-entries 5\nlist-max-ziplist-value 6\n"),
            "");
  EXPECT_EQ(cfg_.hash_max_listpack_entries, 77);
  EXPECT_EQ(cfg_.busy_reply_threshold, 100);
  EXPECT_EQ(cfg_.list_max_listpack_size, 8);
  EXPECT_EQ(cfg_.replicaof_host, "10.0.0.1");
  EXPECT_EQ(cfg_.replicaof_port, 6380);
  EXPECT_EQ(Get("replicaof"), "10.0.0.1 6380");
  EXPECT_EQ(Get("slaveof"), "10.0.0.1 6380");

  // An alias and its primary are distinct names for CONFIG SET (no
  // "duplicate parameter"); the error names the entry that matched.
  EXPECT_TRUE(registry_.Set({{"lua-time-limit", "1"}, {"busy-reply-threshold", "2"}}).ok());
  EXPECT_EQ(cfg_.busy_reply_threshold, 2);
  EXPECT_EQ(Set("LUA-time-limit", "abc").message(),
            "ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - argument "
            "couldn't be parsed into an integer");
}

TEST_F(ConfigTest, MultiArgumentDirectives) {
  EXPECT_EQ(LoadError("save 3600 1\nsave 300 100\n"), "");
  EXPECT_EQ(Get("save"), "3600 1 300 100");  // Lines in a file add up.
  EXPECT_EQ(LoadError("save \"\"\nsave 60 5\n"), "");
  EXPECT_EQ(Get("save"), "60 5");
  EXPECT_EQ(LoadError("save \"\""), "");
  EXPECT_TRUE(cfg_.save_points.empty());
  EXPECT_EQ(LoadError("save \"900 1 300 10\""), "");  // One argument, split again.
  EXPECT_EQ(cfg_.save_points, (std::vector<SavePoint>{{900, 1}, {300, 10}}));
  EXPECT_EQ(LoadError("save 900"), Fatal(1, "save 900", "Invalid save parameters"));

  // CONFIG SET replaces, splitting on single spaces.
  EXPECT_TRUE(Set("save", "100 1 200 2").ok());
  EXPECT_EQ(Get("save"), "100 1 200 2");
  EXPECT_TRUE(Set("save", "").ok());
  EXPECT_EQ(Get("save"), "");
  EXPECT_FALSE(Set("save", "100  1").ok());
  EXPECT_TRUE(Set("save", "100 ").ok());  // strtoll("") is 0 changes, as in Redis.
  EXPECT_EQ(Get("save"), "100 0");

  EXPECT_EQ(LoadError("bind 127.0.0.1 ::1\nbind 10.0.0.1 10.0.0.2 -::1\n"), "");
  EXPECT_EQ(cfg_.bind, (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "-::1"}));
  EXPECT_EQ(Get("bind"), "10.0.0.1 10.0.0.2 -::1");
  EXPECT_TRUE(Set("bind", "").ok());
  EXPECT_TRUE(cfg_.bind.empty());

  EXPECT_EQ(LoadError("client-output-buffer-limit normal 0 0 0\n"
                      "client-output-buffer-limit replica 1gb 512mb 120 pubsub 1k 2k 3\n"),
            "");
  EXPECT_EQ(Get("client-output-buffer-limit"),
            "normal 0 0 0 slave 1073741824 536870912 120 pubsub 1000 2000 3");
  EXPECT_EQ(
      cfg_.client_output_buffer_limits[static_cast<int>(ClientClass::kReplica)].soft_limit_seconds,
      120);
  EXPECT_EQ(Set("client-output-buffer-limit", "normal 1 2").message(),
            "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') "
            "- Wrong number of arguments in buffer limit configuration.");
  EXPECT_EQ(Set("client-output-buffer-limit", "master 1 2 3").message(),
            "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') "
            "- Invalid client class specified in buffer limit configuration.");
  EXPECT_EQ(Set("client-output-buffer-limit", "normal 1 2 -3").message(),
            "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') "
            "- Error in hard, soft or soft_seconds setting in buffer limit configuration.");
}

TEST_F(ConfigTest, NotifyKeyspaceEvents) {
  EXPECT_EQ(KeyspaceEventsStringToFlags("KEA"), kNotifyKeyspace | kNotifyKeyevent | kNotifyAll);
  EXPECT_EQ(KeyspaceEventsStringToFlags("Q"), -1);
  EXPECT_TRUE(Set("notify-keyspace-events", "KEA").ok());
  EXPECT_EQ(Get("notify-keyspace-events"), "AKE");
  EXPECT_TRUE(Set("notify-keyspace-events", "Kgx").ok());
  EXPECT_EQ(Get("notify-keyspace-events"), "gxK");
  EXPECT_TRUE(Set("notify-keyspace-events", "Enm").ok());
  EXPECT_EQ(Get("notify-keyspace-events"), "nEm");
  EXPECT_EQ(Set("notify-keyspace-events", "KQ").message(),
            "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  EXPECT_EQ(Get("notify-keyspace-events"), "nEm");
}

TEST_F(ConfigTest, FatalErrorTexts) {
  EXPECT_EQ(LoadError("port 7000\nfoo bar\n"),
            Fatal(2, "foo bar", "Bad directive or wrong number of arguments"));
  EXPECT_EQ(LoadError("# comment\n\n  port abc  \n"),
            Fatal(3, "port abc", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(LoadError("port 1 2"), Fatal(1, "port 1 2", "wrong number of arguments"));
  EXPECT_EQ(LoadError("port \"7000"),
            Fatal(1, "port \"7000", "Unbalanced quotes in configuration line"));
  EXPECT_EQ(LoadError("maxmemory-policy lru"),
            Fatal(1, "maxmemory-policy lru",
                  "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                  "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                  "noeviction"));
  EXPECT_EQ(LoadError("daemonize yes").rfind(Fatal(1, "daemonize yes", "daemonize yes is not"), 0),
            0u);
  EXPECT_EQ(LoadError("daemonize no"), "");
  // Directive names are case-insensitive; '\r' line ends are fine.
  EXPECT_EQ(LoadError("PORT 7001\r\nMaxMemory 10mb\r\n"), "");
  EXPECT_EQ(cfg_.port, 7001);
  EXPECT_EQ(cfg_.maxmemory, 10ULL << 20);
  // Checked after the last line, so no line is quoted.
  EXPECT_EQ(LoadError("logfile /nonexistent-dir/x.log"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.4.0) ***\nCan't open the log file: No such "
            "file or directory");
}

TEST_F(ConfigTest, FileOnlyDirectives) {
  EXPECT_EQ(LoadError("rename-command FLUSHALL \"\"\nrename-command CONFIG cfg\n"
                      "user alice on >pw ~* +@all\n"),
            "");
  EXPECT_EQ(cfg_.rename_commands, (std::vector<std::pair<std::string, std::string>>{
                                      {"FLUSHALL", ""}, {"CONFIG", "cfg"}}));
  ASSERT_EQ(cfg_.user_directives.size(), 1u);
  EXPECT_EQ(cfg_.user_directives[0],
            (std::vector<std::string>{"alice", "on", ">pw", "~*", "+@all"}));
  EXPECT_NE(LoadError("loadmodule /x.so"), "");
}

TEST_F(ConfigTest, Include) {
  TempDir dir;
  std::string inc = dir.Write("inc.conf", "maxmemory 5mb\nport 7100\n");
  dir.Write("d1.conf", "databases 4\n");
  dir.Write("d2.conf", "timeout 9\n");
  EXPECT_EQ(LoadError("port 7000\ninclude " + inc + "\ninclude " + dir.path() +
                      "/d*.conf\ninclude " + dir.path() + "/none*.conf\n"),
            "");
  EXPECT_EQ(cfg_.port, 7100);  // The included line is later.
  EXPECT_EQ(cfg_.maxmemory, 5ULL << 20);
  EXPECT_EQ(cfg_.databases, 4);
  EXPECT_EQ(cfg_.timeout, 9);

  std::string bad = dir.Write("bad.conf", "\n\nhz x\n");
  EXPECT_EQ(LoadError("include " + bad),
            Fatal(3, "hz x", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(LoadError("include " + dir.path() + "/missing.conf"),
            "Fatal error, can't open config file '" + dir.path() +
                "/missing.conf': No such file or directory");
  std::string loop = dir.Write("loop.conf", "include " + dir.path() + "/loop.conf\n");
  EXPECT_NE(LoadError("include " + loop), "");
}

TEST_F(ConfigTest, CommandLineConversion) {
  using V = std::vector<std::string>;
  EXPECT_EQ(ConfigRegistry::CliArgsToConfigText(V{"--port", "7000", "--save", ""}),
            "port \"7000\" \nsave \"\" ");
  EXPECT_EQ(ConfigRegistry::CliArgsToConfigText(V{"--save", "--port", "7000"}),
            "save \"\"\nport \"7000\" ");
  EXPECT_EQ(ConfigRegistry::CliArgsToConfigText(V{"--port", "7000", "--save"}),
            "port \"7000\" \nsave \"\"");
  EXPECT_EQ(ConfigRegistry::CliArgsToConfigText(V{"--save", "3600", "1", "--bind", "a b"}),
            "save \"3600\" \"1\" \nbind \"a b\" ");
  EXPECT_EQ(ConfigRegistry::CliArgsToConfigText(V{"--port 7000", "--maxmemory", "-1"}),
            "port 7000 \nmaxmemory \"-1\" ");

  TempDir dir;
  std::string file = dir.Write("redis.conf", "port 7000\nmaxmemory 1mb\n");
  ASSERT_TRUE(registry_
                  .LoadFromFileAndArgs(file, V{"--port", "7001", "--save", "60", "1",
                                               "--client-output-buffer-limit", "normal 1 2 3"})
                  .ok());
  EXPECT_EQ(cfg_.port, 7001);
  EXPECT_EQ(cfg_.maxmemory, 1ULL << 20);
  EXPECT_EQ(Get("save"), "60 1");
  EXPECT_EQ(cfg_.client_output_buffer_limits[0], (ClientBufferLimit{1, 2, 3}));
  EXPECT_EQ(registry_.config_file(), file);

  // Line numbers count the file, the separator line, then the options.
  ServerConfig cfg2;
  ConfigRegistry registry2(&cfg2);
  EXPECT_EQ(
      registry2.LoadFromFileAndArgs("", V{"--port", "7778", "--appendonly", "maybe"}).message(),
      Fatal(3, "appendonly \"maybe\"", "argument must be 'yes' or 'no'"));
  EXPECT_EQ(registry2.config_file(), "");
  EXPECT_EQ(registry2.LoadFromFileAndArgs(dir.path() + "/nope.conf", {}).message(),
            "Fatal error, can't open config file '" + dir.path() +
                "/nope.conf': No such file or directory");
}

TEST_F(ConfigTest, GetGlobAliasesAndHidden) {
  auto names = [](const std::vector<std::pair<std::string, std::string>>& reply) {
    std::set<std::string> out;
    for (const auto& [name, value] : reply) out.insert(name);
    return out;
  };
  EXPECT_EQ(names(registry_.Get({"maxmemory*"})),
            (std::set<std::string>{"maxmemory", "maxmemory-policy", "maxmemory-samples",
                                   "maxmemory-eviction-tenacity", "maxmemory-clients"}));
  EXPECT_EQ(names(registry_.Get({"*ZIPLIST*"})),
            (std::set<std::string>{"hash-max-ziplist-entries", "hash-max-ziplist-value",
                                   "zset-max-ziplist-entries", "zset-max-ziplist-value",
                                   "list-max-ziplist-size"}));
  // Each name once, however many patterns match it.
  EXPECT_EQ(registry_.Get({"port", "PORT", "p?rt", "*"}).size(), registry_.Get({"*"}).size());
  // An exact name echoes the caller's spelling.
  auto reply = registry_.Get({"MAXMEMORY"});
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0].first, "MAXMEMORY");
  // Hidden directives need the exact name.
  EXPECT_EQ(names(registry_.Get({"*"})).count("threads"), 0u);
  EXPECT_EQ(names(registry_.Get({"*"})).count("active-expire-enabled"), 0u);
  EXPECT_EQ(Get("threads"), std::to_string(cfg_.threads));
  EXPECT_TRUE(registry_.Get({"nosuchthing", "nosuch*"}).empty());
  // Every row renders a value that CONFIG SET accepts back (except immutable
  // and protected ones, refused for that reason alone).
  for (const auto& [name, value] : registry_.Get({"*"})) {
    Status s = Set(name, value);
    if (!s.ok()) {
      EXPECT_TRUE(s.message().find("can't set") != std::string::npos)
          << name << ": " << s.message();
    }
  }
}

TEST_F(ConfigTest, SetErrorsAndPrecedence) {
  EXPECT_EQ(Set("foo", "bar").message(),
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(Set("daemonize", "yes").message(),
            "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set "
            "immutable config");
  EXPECT_EQ(Set("threads", "2").message(),
            "ERR CONFIG SET failed (possibly related to argument 'threads') - can't set "
            "immutable config");
  EXPECT_EQ(Set("dir", "/tmp").message(),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected "
            "config");
  EXPECT_EQ(registry_.Set({{"maxmemory", "1k"}, {"MAXMEMORY", "2k"}}).message(),
            "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate "
            "parameter");
  EXPECT_EQ(registry_.Set({{"maxmemory", "0"}, {"foo", "1"}, {"daemonize", "yes"}}).message(),
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(registry_.Set({{"daemonize", "yes"}, {"foo", "1"}}).message(),
            "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set "
            "immutable config");
  EXPECT_EQ(cfg_.maxmemory, 0u);
}

TEST_F(ConfigTest, SetIsAtomic) {
  ASSERT_TRUE(registry_.Set({{"maxmemory", "1mb"}, {"save", "10 1"}}).ok());
  EXPECT_EQ(registry_.Set({{"maxmemory", "2mb"}, {"save", "20 2"}, {"port", "abc"}}).message(),
            "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be "
            "parsed into an integer");
  EXPECT_EQ(cfg_.maxmemory, 1ULL << 20);
  EXPECT_EQ(Get("save"), "10 1");
  EXPECT_EQ(cfg_.port, 6379);
}

TEST_F(ConfigTest, ApplyHooksRunOnChangeAndCanVeto) {
  int maxmemory_calls = 0, maxclients_calls = 0;
  bool fail = false;
  registry_.SetApplyHook("maxmemory", [&] {
    ++maxmemory_calls;
    return fail ? Status::Error("Unable to do it. Check server logs.") : Status::Ok();
  });
  registry_.SetApplyHook("maxclients", [&] {
    ++maxclients_calls;
    return Status::Ok();
  });
  ASSERT_TRUE(registry_.Set({{"maxclients", "500"}, {"maxmemory", "1mb"}}).ok());
  EXPECT_EQ(maxclients_calls, 1);
  EXPECT_EQ(maxmemory_calls, 1);
  ASSERT_TRUE(Set("maxmemory", "1mb").ok());  // Unchanged: no hook.
  EXPECT_EQ(maxmemory_calls, 1);

  fail = true;
  EXPECT_EQ(registry_.Set({{"maxclients", "600"}, {"maxmemory", "2mb"}}).message(),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - Unable to do "
            "it. Check server logs.");
  EXPECT_EQ(cfg_.maxclients, 500u);
  EXPECT_EQ(cfg_.maxmemory, 1ULL << 20);
  // Applied once, then again after the values were restored.
  EXPECT_EQ(maxclients_calls, 3);
  EXPECT_EQ(maxmemory_calls, 3);
}

TEST_F(ConfigTest, ProtectedDirectivesAndDir) {
  TempDir dir;
  EXPECT_EQ(LoadError("enable-protected-configs local\n"), "");
  EXPECT_FALSE(registry_.Set({{"dir", dir.path()}}, /*client_is_local=*/false).ok());
  ASSERT_TRUE(registry_.Set({{"dir", dir.path()}}, /*client_is_local=*/true).ok());
  char resolved[PATH_MAX];
  ASSERT_NE(realpath(dir.path().c_str(), resolved), nullptr);
  EXPECT_EQ(Get("dir"), resolved);
  EXPECT_EQ(registry_.Set({{"dir", "/nonexistent-dir"}}, true).message(),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or "
            "directory");
  EXPECT_EQ(registry_.Set({{"dbfilename", "a/b.rdb"}}, true).message(),
            "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename "
            "can't be a path, just a filename");
  EXPECT_TRUE(registry_.IsSensitive("requirepass"));
  EXPECT_TRUE(registry_.IsSensitive("MASTERAUTH"));
  EXPECT_FALSE(registry_.IsSensitive("port"));
}

TEST_F(ConfigTest, RewriteWithoutFile) {
  EXPECT_EQ(registry_.Rewrite().message(), "ERR The server is running without a config file");
}

TEST_F(ConfigTest, RewriteRoundTrip) {
  TempDir dir;
  std::string file = dir.Write("redis.conf",
                               "# My server\n"
                               "port 7000\n"
                               "\n"
                               "# Snapshots\n"
                               "save 100 1\n"
                               "save 200 2\n"
                               "slave-read-only yes\n"
                               "maxmemory 1mb\n"
                               "rename-command KEYS \"\"\n"
                               "list-max-ziplist-entries 512\n"
                               "maxmemory 2mb\n");
  ASSERT_TRUE(registry_.LoadFromFileAndArgs(file, {}).ok());
  ASSERT_TRUE(registry_
                  .Set({{"save", "300 3"},
                        {"maxmemory", "3mb"},
                        {"appendonly", "yes"},
                        {"requirepass", "a\"b c"},
                        {"client-output-buffer-limit", "pubsub 64mb 16mb 90"},
                        {"notify-keyspace-events", "KEA"}})
                  .ok());
  ASSERT_TRUE(registry_.Rewrite().ok());

  char resolved[PATH_MAX];
  ASSERT_NE(realpath(".", resolved), nullptr);
  EXPECT_EQ(ReadAll(file),
            "# My server\n"
            "port 7000\n"
            "\n"
            "# Snapshots\n"
            "save 300 3\n"
            "\n"
            "replica-read-only yes\n"
            "maxmemory 3mb\n"
            "rename-command KEYS \"\"\n"
            "# ??? list-max-ziplist-entries 512\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "appendonly yes\n"
            "requirepass \"a\\\"b c\"\n"
            "dir \"" +
                std::string(resolved) +
                "\"\n"
                "client-output-buffer-limit pubsub 64mb 16mb 90\n"
                "notify-keyspace-events \"AKE\"\n"
                "latency-tracking-info-percentiles 50 99 99.9\n");  // Always written, as by Redis.

  // The rewritten file loads back to the same values.
  ServerConfig cfg2;
  ConfigRegistry registry2(&cfg2);
  ASSERT_TRUE(registry2.LoadFromFileAndArgs(file, {}).ok());
  EXPECT_EQ(registry2.Get({"*"}), registry_.Get({"*"}));

  // A second rewrite changes nothing.
  std::string first = ReadAll(file);
  ASSERT_TRUE(registry2.Rewrite().ok());
  EXPECT_EQ(ReadAll(file), first);

  // Back to defaults: the directive's lines go away.
  ASSERT_TRUE(registry2.Set({{"appendonly", "no"}, {"save", "3600 1 300 100 60 10000"}}).ok());
  ASSERT_TRUE(registry2.Rewrite().ok());
  std::string third = ReadAll(file);
  EXPECT_NE(third.find("appendonly no\n"), std::string::npos);  // Kept: it was in the file.
  EXPECT_NE(third.find("save 3600 1\n"), std::string::npos);
  EXPECT_NE(third.find("save 60 10000\n"), std::string::npos);
}

}  // namespace
}  // namespace lodestone
