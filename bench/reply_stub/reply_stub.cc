// reply_stub: a RESP server that does no work, to measure the benchmark client.
//
// bench/throughput runs it beside Lodestone and redis-server (option --stub)
// to show what redis-benchmark reaches on the machine when the server costs
// nothing: the stub parses each command just far enough to find its end and
// its name, and answers it with a fixed reply of the shape the real command
// has (SET +OK, GET a 3-byte bulk, LPUSH an integer...). Where a real server
// comes close to it, the client is the limit.
//
// It is shaped like the servers it stands in for, so the client sees the
// same traffic: one thread, epoll, level-triggered; per ready connection one
// read of up to 64 KiB and one write of every reply that read completed.
// It keeps no data. Commands it answers specially: PING (+PONG), CONFIG GET
// (the parameter with an empty value, which redis-benchmark asks for at
// start-up), SHUTDOWN (exits). Everything else gets the reply its name maps
// to in ReplyFor, ":1" by default.
//
// With --spin it never sleeps while a client is connected (epoll_wait with a
// zero timeout), so the client never pays for waking it. That is not a
// strict upper bound on what a client can do against some server (how
// replies are paced also changes the client's cost), only the cheapest
// server we can write.
//
// Usage: reply_stub --port N [--bind ADDR] [--spin]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kReadChunk = 64 * 1024;

struct Connection {
  int fd = -1;
  std::string in;   // Bytes read and not yet consumed by a whole command.
  std::string out;  // Replies not yet written.
  bool want_write = false;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

// The reply a real server gives to `name`, in shape: the client parses the
// same bytes it would parse from Lodestone or Redis.
std::string_view ReplyFor(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kReplies[] = {
      {"PING", "+PONG\r\n"},   {"SET", "+OK\r\n"},         {"MSET", "+OK\r\n"},
      {"FLUSHALL", "+OK\r\n"}, {"GET", "$3\r\nxxx\r\n"},   {"LPOP", "$3\r\nxxx\r\n"},
      {"RPOP", "$3\r\nxxx\r\n"}, {"SPOP", "$3\r\nxxx\r\n"},
      {"ZPOPMIN", "*2\r\n$3\r\nxxx\r\n$1\r\n1\r\n"},
  };
  for (const auto& [command, reply] : kReplies) {
    if (EqualsIgnoreCase(name, command)) return reply;
  }
  return ":1\r\n";
}

// Reads a decimal line "<digits>\r\n" starting at `pos`; false if the line is
// not all there yet. A malformed line yields a negative value.
bool ReadNumberLine(const std::string& buf, size_t* pos, long* value) {
  size_t eol = buf.find("\r\n", *pos);
  if (eol == std::string::npos) return false;
  char* end = nullptr;
  std::string digits = buf.substr(*pos, eol - *pos);
  *value = std::strtol(digits.c_str(), &end, 10);
  if (digits.empty() || *end != '\0') *value = -1;
  *pos = eol + 2;
  return true;
}

// Consumes one whole command from `c.in` at `*pos` and appends its reply.
// Returns false when the command is not all there yet (nothing consumed), or
// when the input is malformed (then *malformed is set).
bool ServeOne(Connection& c, size_t* pos, bool* malformed, bool* shutdown) {
  const std::string& buf = c.in;
  size_t at = *pos;
  std::vector<std::string_view> args;
  if (buf[at] != '*') {  // Inline command: one line of words.
    size_t eol = buf.find('\n', at);
    if (eol == std::string::npos) return false;
    std::string_view line(buf.data() + at, eol - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t word_end = line.find(' ');
    args.push_back(line.substr(0, word_end));
    if (word_end != std::string_view::npos) args.push_back(line.substr(word_end + 1));
    at = eol + 1;
  } else {
    ++at;
    long count = 0;
    if (!ReadNumberLine(buf, &at, &count)) return false;
    if (count < 0) {
      *malformed = true;
      return false;
    }
    for (long i = 0; i < count; ++i) {
      if (at >= buf.size()) return false;
      if (buf[at] != '$') {
        *malformed = true;
        return false;
      }
      ++at;
      long length = 0;
      if (!ReadNumberLine(buf, &at, &length)) return false;
      if (length < 0) {
        *malformed = true;
        return false;
      }
      if (buf.size() < at + size_t(length) + 2) return false;
      args.emplace_back(buf.data() + at, size_t(length));
      at += size_t(length) + 2;
    }
  }
  *pos = at;
  if (args.empty() || args[0].empty()) return true;
  if (EqualsIgnoreCase(args[0], "SHUTDOWN")) {
    *shutdown = true;
    return true;
  }
  if (EqualsIgnoreCase(args[0], "CONFIG") && args.size() == 3) {
    std::string_view param = args[2];
    c.out += "*2\r\n$" + std::to_string(param.size()) + "\r\n";
    c.out += param;
    c.out += "\r\n$0\r\n\r\n";
    return true;
  }
  c.out += ReplyFor(args[0]);
  return true;
}

int Listen(const char* bind_addr, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, bind_addr, &addr.sin_addr) != 1) return -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  if (listen(fd, 511) != 0) return -1;
  return fd;
}

class StubServer {
 public:
  StubServer(int epoll_fd, int listen_fd, bool spin)
      : epoll_fd_(epoll_fd), listen_fd_(listen_fd), spin_(spin) {}

  // Runs until SHUTDOWN. Returns the process exit status.
  int Run() {
    epoll_event events[256];
    for (;;) {
      // Spinning stops while no client is connected, so that an idle stub
      // leaves the core to the servers measured beside it.
      int n = epoll_wait(epoll_fd_, events, 256, spin_ && !connections_.empty() ? 0 : -1);
      if (n < 0 && errno != EINTR) return 1;
      for (int i = 0; i < n; ++i) {
        if (events[i].data.ptr == nullptr) {
          Accept();
          continue;
        }
        auto* c = static_cast<Connection*>(events[i].data.ptr);
        if ((events[i].events & EPOLLOUT) && !Flush(*c)) continue;
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
          if (!ReadAndServe(*c)) return 0;
        }
      }
    }
  }

 private:
  void Accept() {
    for (;;) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto c = std::make_unique<Connection>();
      c->fd = fd;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = c.get();
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
      connections_.emplace(fd, std::move(c));
    }
  }

  void Close(Connection& c) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    connections_.erase(c.fd);
  }

  // One read, every whole command in it answered, one write. Returns false
  // on SHUTDOWN.
  bool ReadAndServe(Connection& c) {
    ssize_t got = read(c.fd, read_buffer_, sizeof read_buffer_);
    if (got <= 0) {
      if (got == 0 || (errno != EAGAIN && errno != EINTR)) Close(c);
      return true;
    }
    c.in.append(read_buffer_, size_t(got));
    size_t pos = 0;
    bool malformed = false;
    bool shutdown = false;
    while (pos < c.in.size() && ServeOne(c, &pos, &malformed, &shutdown) && !shutdown) {
    }
    if (shutdown) return false;
    if (malformed) {
      Close(c);
      return true;
    }
    c.in.erase(0, pos);
    Flush(c);
    return true;
  }

  // Writes what it can; false if the connection failed and was closed.
  bool Flush(Connection& c) {
    while (!c.out.empty()) {
      ssize_t put = write(c.fd, c.out.data(), c.out.size());
      if (put < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) {
          Close(c);
          return false;
        }
        break;
      }
      c.out.erase(0, size_t(put));
    }
    bool want_write = !c.out.empty();
    if (want_write != c.want_write) {
      epoll_event ev{};
      ev.events = want_write ? EPOLLIN | EPOLLOUT : EPOLLIN;
      ev.data.ptr = &c;
      epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
      c.want_write = want_write;
    }
    return true;
  }

  int epoll_fd_;
  int listen_fd_;
  bool spin_;
  char read_buffer_[kReadChunk];
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
};

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  const char* bind_addr = "127.0.0.1";
  bool spin = false;
  bool usage_error = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--spin") == 0) {
      spin = true;
    } else if (i + 1 < argc && std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[++i]);
    } else if (i + 1 < argc && std::strcmp(argv[i], "--bind") == 0) {
      bind_addr = argv[++i];
    } else {
      usage_error = true;
    }
  }
  if (usage_error || port <= 0 || port > 65535) {
    std::fprintf(stderr, "usage: reply_stub --port N [--bind ADDR] [--spin]\n");
    return 2;
  }
  int listen_fd = Listen(bind_addr, port);
  if (listen_fd < 0) {
    std::perror("reply_stub: listen");
    return 1;
  }
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
  // Static: the read buffer is too large for the stack.
  static StubServer server(epoll_fd, listen_fd, spin);
  return server.Run();
}
