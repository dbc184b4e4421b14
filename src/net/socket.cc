#include "net/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lodestone::net {

void SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void SetNoDelay(int fd) {
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
}

void SetKeepAlive(int fd, int interval_s) {
  int yes = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes)) != 0) return;
  if (interval_s <= 0) return;
  int idle = interval_s;
  int intvl = interval_s / 3 > 0 ? interval_s / 3 : 1;
  int cnt = 3;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static std::string FormatAddr(const sockaddr_storage& sa) {
  char ip[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (sa.ss_family == AF_INET) {
    auto* s = reinterpret_cast<const sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
    port = ntohs(s->sin_port);
  } else if (sa.ss_family == AF_INET6) {
    auto* s = reinterpret_cast<const sockaddr_in6*>(&sa);
    inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
    port = ntohs(s->sin6_port);
  }
  return std::string(ip) + ":" + std::to_string(port);
}

int ListenTcp(const std::string& bind_addr, int port, int backlog, std::string* err) {
  std::string addr = bind_addr;
  if (!addr.empty() && addr[0] == '-') addr = addr.substr(1);
  bool v6 = addr.find(':') != std::string::npos;
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = strerror(errno);
    return -1;
  }
  int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  int rc;
  if (v6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    if (addr == "::*") {
      sa.sin6_addr = in6addr_any;
    } else if (inet_pton(AF_INET6, addr.c_str(), &sa.sin6_addr) != 1) {
      *err = "Invalid bind address '" + addr + "'";
      close(fd);
      return -1;
    }
    rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (addr == "*" || addr == "0.0.0.0") {
      sa.sin_addr.s_addr = htonl(INADDR_ANY);
    } else if (addr == "localhost") {
      sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1) {
      *err = "Invalid bind address '" + addr + "'";
      close(fd);
      return -1;
    }
    rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  }
  if (rc != 0 || listen(fd, backlog) != 0) {
    *err = strerror(errno);
    close(fd);
    return -1;
  }
  SetNonBlocking(fd);
  return fd;
}

int ListenUnix(const std::string& path, int perm, int backlog, std::string* err) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = strerror(errno);
    return -1;
  }
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa.sun_path)) {
    *err = "Unix socket path too long";
    close(fd);
    return -1;
  }
  memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  unlink(path.c_str());
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || listen(fd, backlog) != 0) {
    *err = strerror(errno);
    close(fd);
    return -1;
  }
  if (perm != 0) chmod(path.c_str(), perm);
  SetNonBlocking(fd);
  return fd;
}

int Accept(int listen_fd, bool unix_socket, std::string* peer, std::string* local) {
  sockaddr_storage sa{};
  socklen_t len = sizeof(sa);
  int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&sa), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return -1;
  if (unix_socket) {
    sockaddr_un un{};
    socklen_t ulen = sizeof(un);
    getsockname(fd, reinterpret_cast<sockaddr*>(&un), &ulen);
    *peer = std::string(un.sun_path) + ":0";
    *local = *peer;
    return fd;
  }
  *peer = FormatAddr(sa);
  sockaddr_storage la{};
  socklen_t llen = sizeof(la);
  getsockname(fd, reinterpret_cast<sockaddr*>(&la), &llen);
  *local = FormatAddr(la);
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage sa{};
  socklen_t len = sizeof(sa);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return -1;
  if (sa.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&sa)->sin_port);
  if (sa.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&sa)->sin6_port);
  return -1;
}

}  // namespace lodestone::net
