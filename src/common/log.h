// Process-wide logging in the line format of Redis's log file.
//
// Every line reads `PID:ROLE DD Mon YYYY HH:MM:SS.mmm C message`, exactly as
// redis-server writes it, so tools and people that read Redis logs read ours.
// The logger is the one piece of global mutable state this project allows: a
// log call may come from any thread, and threading a logger through every
// function would cost more than it buys. All functions here are thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lodestone {

// Severity, lowest first. A line is written when its level is >= the
// configured level; kNothing as the configured level silences everything.
enum class LogLevel { kDebug, kVerbose, kNotice, kWarning, kNothing };

// Longest message Log() writes; longer formatted messages are truncated to
// kLogMaxLen - 1 bytes, as Redis does. LogRaw() has no limit.
inline constexpr size_t kLogMaxLen = 1024;

// Sets the level and the destination: `logfile` empty means standard output,
// otherwise the file is opened in append mode for every line (so an external
// log rotation takes effect at once, as in Redis).
void LogInit(LogLevel level, const std::string& logfile);

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

// The role character after the pid: 'M' (primary, the default), 'S' (replica),
// 'C' (a child or background job), 'X' (sentinel).
void SetLogRole(char role);

// True when a line at `level` would be written; lets callers skip building
// expensive messages.
bool ShouldLog(LogLevel level);

// printf-style; the whole line goes out with one write(2) under a mutex, so
// lines from different threads never interleave. Errors are ignored.
void Log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Like Log() for an already formatted message of any length.
void LogRaw(LogLevel level, std::string_view message);

// "debug", "verbose", "notice", "warning", "nothing" (case-insensitive, as
// Redis's config parser matches enum values). Returns false for anything else.
bool ParseLogLevel(std::string_view name, LogLevel* out);

// The config name of `level` ("notice", ...).
const char* LogLevelName(LogLevel level);

}  // namespace lodestone
