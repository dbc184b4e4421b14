// lodestone-server: parses the command line and configuration, starts the
// engine, and waits for a shutdown (SIGTERM, SIGINT or SHUTDOWN).
//
//   lodestone-server [config-file] [--directive value ...]
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "commands/register.h"
#include "common/log.h"
#include "engine/engine.h"
#include "server/config.h"
#include "storage/key_table.h"

namespace lodestone {
namespace {

constexpr const char* kVersion = "7.4.0";

Engine* g_engine = nullptr;  // only for the signal thread below

void PrintUsage() {
  fprintf(stderr,
          "Usage: ./lodestone-server [/path/to/redis.conf] [options] [-]\n"
          "       ./lodestone-server - (read config from stdin)\n"
          "       ./lodestone-server -v or --version\n"
          "       ./lodestone-server -h or --help\n\n"
          "Examples:\n"
          "       ./lodestone-server (run the server with default conf)\n"
          "       ./lodestone-server /etc/redis/6379.conf\n"
          "       ./lodestone-server --port 7777\n"
          "       ./lodestone-server /etc/myredis.conf --loglevel verbose\n");
}

// Signals are received by a dedicated thread with sigwait, so no handler
// ever runs inside a shard.
void SignalThread(sigset_t set) {
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGTERM || sig == SIGINT) {
      Log(LogLevel::kWarning, "Received %s scheduling shutdown...",
          sig == SIGINT ? "SIGINT" : "SIGTERM");
      g_engine->Shutdown();
      return;
    }
  }
}

int Main(int argc, char** argv) {
  std::string config_file;
  std::vector<std::string> cli;
  int i = 1;
  if (argc >= 2) {
    std::string first = argv[1];
    if (first == "-v" || first == "--version") {
      printf("Lodestone server v=%s (Redis compatible) bits=64\n", kVersion);
      return 0;
    }
    if (first == "-h" || first == "--help") {
      PrintUsage();
      return 0;
    }
    if (first[0] != '-' || first == "-") {
      config_file = first;
      i = 2;
    }
  }
  for (; i < argc; i++) cli.emplace_back(argv[i]);

  ServerConfig config;
  ConfigRegistry registry(&config);
  Status st = registry.LoadFromFileAndArgs(config_file, cli);
  if (!st.ok()) {
    fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  LogInit(config.loglevel, config.logfile);
  if (!config.dir.empty() && config.dir != "." && chdir(config.dir.c_str()) != 0) {
    Log(LogLevel::kWarning, "Can't chdir to '%s': %s", config.dir.c_str(), strerror(errno));
    return 1;
  }
  if (const char* seed = getenv("LODESTONE_HASH_SEED")) {
    KeyTable::SetHashSeed(strtoull(seed, nullptr, 10));
  } else {
    KeyTable::SetHashSeed((uint64_t(getpid()) << 32) ^ uint64_t(time(nullptr)) ^
                          uint64_t(reinterpret_cast<uintptr_t>(&config)));
  }

  Log(LogLevel::kNotice, "oO0OoO0OoO0Oo Lodestone is starting oO0OoO0OoO0Oo");
  Log(LogLevel::kNotice, "Lodestone version=%s, bits=64, pid=%d, threads=%d, just started",
      kVersion, int(getpid()), config.threads);
  if (config_file.empty()) {
    Log(LogLevel::kWarning,
        "Warning: no config file specified, using the default config. In order to specify a "
        "config file use %s /path/to/redis.conf",
        argv[0]);
  }

  // Block the signals in every thread; the signal thread takes them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // As in Redis, port 0 means no TCP listener at all.
  if (config.port == 0) {
    config.bind.clear();
    if (config.unixsocket.empty()) {
      Log(LogLevel::kWarning, "Configured to not listen anywhere, exiting.");
      return 1;
    }
  }

  CommandTable table;
  RegisterAllCommands(table);
  Engine engine(config, registry, table);
  engine.set_executable(argv[0]);
  engine.set_config_file(config_file);
  g_engine = &engine;
  std::string err;
  if (!engine.Start(&err)) {
    Log(LogLevel::kWarning, "%s", err.c_str());
    return 1;
  }
  Log(LogLevel::kNotice, "Ready to accept connections tcp (port %d)", engine.tcp_port());
  std::thread(SignalThread, set).detach();
  engine.WaitForShutdown();
  Log(LogLevel::kWarning, "Lodestone is now ready to exit, bye bye...");
  return 0;
}

}  // namespace
}  // namespace lodestone

int main(int argc, char** argv) { return lodestone::Main(argc, argv); }
