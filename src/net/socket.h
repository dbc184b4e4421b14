// Socket helpers: listening sockets (TCP and Unix), accept, socket options,
// and address formatting in Redis's "ip:port" form.
#pragma once

#include <string>

namespace lodestone::net {

// Creates a non-blocking listening TCP socket on addr:port. `addr` follows
// redis.conf `bind` syntax: "*" (all IPv4), "::*" (all IPv6), or a literal
// address; a leading '-' means failure to bind is not an error (the caller
// decides). Returns the fd, or -1 with *err set.
int ListenTcp(const std::string& addr, int port, int backlog, std::string* err);
int ListenUnix(const std::string& path, int perm, int backlog, std::string* err);

// Accepts one connection; returns -1 when none is pending (EAGAIN) or on error.
// *peer receives "ip:port" (or "/path:0" for Unix sockets, as Redis prints).
int Accept(int listen_fd, bool unix_socket, std::string* peer, std::string* local);

void SetNonBlocking(int fd);
void SetNoDelay(int fd);
void SetKeepAlive(int fd, int interval_s);
int BoundPort(int fd);

}  // namespace lodestone::net
