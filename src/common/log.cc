// Process-wide logger writing Redis-format lines (see log.h).
#include "common/log.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "common/strings.h"

namespace lodestone {
namespace {

struct LoggerState {
  std::atomic<int> level{static_cast<int>(LogLevel::kNotice)};
  std::atomic<char> role{'M'};
  std::mutex mu;
  std::string logfile;  // Guarded by mu. Empty: standard output.
};

// Never destroyed, so that logging keeps working while the process exits.
LoggerState& State() {
  static LoggerState* state = new LoggerState();
  return *state;
}

constexpr char kLevelChars[] = ".-*#";
constexpr const char* kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kLevelNames[] = {"debug", "verbose", "notice", "warning", "nothing"};

// Writes all of `data` to `fd`, retrying after signals and short writes.
void WriteFully(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
}

// Appends "PID:R DD Mon YYYY HH:MM:SS.mmm C " to `line`.
void AppendPrefix(LogLevel level, std::string* line) {
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm local;
  time_t seconds = tv.tv_sec;
  localtime_r(&seconds, &local);
  char buf[96];
  int n = snprintf(buf, sizeof(buf), "%d:%c %02d %s %d %02d:%02d:%02d.%03d %c ",
                   static_cast<int>(getpid()), State().role.load(std::memory_order_relaxed),
                   local.tm_mday, kMonthNames[local.tm_mon], local.tm_year + 1900, local.tm_hour,
                   local.tm_min, local.tm_sec, static_cast<int>(tv.tv_usec / 1000),
                   kLevelChars[static_cast<int>(level)]);
  if (n > 0) line->append(buf, static_cast<size_t>(n) < sizeof(buf) ? n : sizeof(buf) - 1);
}

void EmitLine(const std::string& line) {
  LoggerState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  if (state.logfile.empty()) {
    WriteFully(STDOUT_FILENO, line.data(), line.size());
    return;
  }
  int fd = open(state.logfile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  WriteFully(fd, line.data(), line.size());
  close(fd);
}

}  // namespace

void LogInit(LogLevel level, const std::string& logfile) {
  LoggerState& state = State();
  {
    std::lock_guard<std::mutex> lock(state.mu);
    state.logfile = logfile;
  }
  SetLogLevel(level);
}

void SetLogLevel(LogLevel level) {
  State().level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel GetLogLevel() {
  return static_cast<LogLevel>(State().level.load(std::memory_order_relaxed));
}

void SetLogRole(char role) { State().role.store(role, std::memory_order_relaxed); }

bool ShouldLog(LogLevel level) {
  return level != LogLevel::kNothing &&
         static_cast<int>(level) >= State().level.load(std::memory_order_relaxed);
}

void Log(LogLevel level, const char* fmt, ...) {
  if (!ShouldLog(level)) return;
  char message[kLogMaxLen];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(message, sizeof(message), fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t len = static_cast<size_t>(n) < sizeof(message) ? n : sizeof(message) - 1;
  std::string line;
  line.reserve(64 + len);
  AppendPrefix(level, &line);
  line.append(message, len);
  line.push_back('\n');
  EmitLine(line);
}

void LogRaw(LogLevel level, std::string_view message) {
  if (!ShouldLog(level)) return;
  std::string line;
  line.reserve(64 + message.size());
  AppendPrefix(level, &line);
  line.append(message);
  line.push_back('\n');
  EmitLine(line);
}

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  for (int i = 0; i <= static_cast<int>(LogLevel::kNothing); ++i) {
    if (EqualsIgnoreCase(name, kLevelNames[i])) {
      *out = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

const char* LogLevelName(LogLevel level) {
  int i = static_cast<int>(level);
  if (i < 0 || i > static_cast<int>(LogLevel::kNothing)) return "unknown";
  return kLevelNames[i];
}

}  // namespace lodestone
