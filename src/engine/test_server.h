// In-process test harness: an Engine with all commands on an ephemeral
// loopback port, plus a minimal blocking RESP client. Used by the engine's
// tests (which also run under ThreadSanitizer) and the command tests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "commands/register.h"
#include "engine/engine.h"
#include "server/config.h"

namespace lodestone::testing {

// A parsed reply, kept simple: type char and either text, integer or children.
struct Reply {
  char type = 0;  // '+', '-', ':', '$', '*', '_' (null), ...
  std::string str;
  int64_t integer = 0;
  std::vector<Reply> elements;
  bool is_null() const { return type == '_'; }
};

class TestClient {
 public:
  explicit TestClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(uint16_t(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
      throw std::runtime_error("connect failed");
    }
    int yes = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  }
  ~TestClient() { close(fd_); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  static std::string Encode(const std::vector<std::string>& args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    return out;
  }
  void Send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = write(fd_, bytes.data() + off, bytes.size() - off);
      if (n <= 0) throw std::runtime_error("write failed");
      off += size_t(n);
    }
  }
  Reply Call(const std::vector<std::string>& args) {
    Send(Encode(args));
    return Read();
  }
  Reply Read() {
    std::string line = ReadLine();
    Reply r;
    r.type = line[0];
    std::string rest = line.substr(1);
    switch (r.type) {
      case '+':
      case '-':
        r.str = rest;
        break;
      case ':':
        r.integer = std::stoll(rest);
        break;
      case '$': {
        int64_t n = std::stoll(rest);
        if (n < 0) {
          r.type = '_';
          break;
        }
        r.str = ReadExact(size_t(n) + 2).substr(0, size_t(n));
        break;
      }
      case '*': {
        int64_t n = std::stoll(rest);
        if (n < 0) {
          r.type = '_';
          break;
        }
        for (int64_t i = 0; i < n; i++) r.elements.push_back(Read());
        break;
      }
      default:
        r.str = rest;
    }
    return r;
  }
  bool Closed() {
    char c;
    return recv(fd_, &c, 1, 0) == 0;
  }

 private:
  std::string ReadLine() {
    std::string line;
    for (;;) {
      Fill();
      size_t pos = buf_.find("\r\n");
      if (pos != std::string::npos) {
        line = buf_.substr(0, pos);
        buf_.erase(0, pos + 2);
        return line;
      }
      need_more_ = true;
    }
  }
  std::string ReadExact(size_t n) {
    while (buf_.size() < n) {
      need_more_ = true;
      Fill();
    }
    std::string out = buf_.substr(0, n);
    buf_.erase(0, n);
    return out;
  }
  void Fill() {
    if (!need_more_ && !buf_.empty()) return;
    need_more_ = false;
    char tmp[65536];
    ssize_t n = read(fd_, tmp, sizeof(tmp));
    if (n <= 0) throw std::runtime_error("connection closed");
    buf_.append(tmp, size_t(n));
  }
  int fd_;
  std::string buf_;
  bool need_more_ = true;
};

// An engine running in this process on an ephemeral port.
class TestServer {
 public:
  // `extra` may add test-only rows before the table is finalized.
  explicit TestServer(int threads, void (*extra)(CommandTable&) = nullptr) {
    config_.port = 0;
    config_.bind = {"127.0.0.1"};
    config_.threads = threads;
    registry_ = std::make_unique<ConfigRegistry>(&config_);
    if (extra != nullptr) extra(table_);
    RegisterAllCommands(table_);
    engine_ = std::make_unique<Engine>(config_, *registry_, table_);
    std::string err;
    if (!engine_->Start(&err)) throw std::runtime_error(err);
  }
  ~TestServer() {
    engine_->Shutdown();
    engine_->WaitForShutdown();
  }
  int port() const { return engine_->tcp_port(); }
  Engine& engine() { return *engine_; }
  std::unique_ptr<TestClient> Connect() { return std::make_unique<TestClient>(port()); }

 private:
  ServerConfig config_;
  std::unique_ptr<ConfigRegistry> registry_;
  CommandTable table_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace lodestone::testing
