// EventLoop: one epoll instance per thread, plus an eventfd so other threads
// can wake it. The loop knows nothing of clients, commands or RESP: it calls
// an IoHandler when its file descriptor is ready, and that is all.
//
// Thread-safety: everything but Wake() must be called on the loop's thread.
#pragma once

#include <cstdint>
#include <functional>

namespace lodestone::net {

class IoHandler {
 public:
  virtual ~IoHandler() = default;
  // `events` is a mask of EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP.
  virtual void OnIoEvent(uint32_t events) = 0;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registers fd for `events` (EPOLLIN, EPOLLOUT, optionally EPOLLET); the
  // handler must outlive the registration. Returns false on failure (errno).
  bool Add(int fd, uint32_t events, IoHandler* handler);
  bool Modify(int fd, uint32_t events, IoHandler* handler);
  void Remove(int fd);

  // Waits up to timeout_ms (-1 = forever) and dispatches ready handlers.
  // Returns the number of events dispatched. A Wake() ends the wait early.
  int Poll(int timeout_ms);

  // Any thread: makes a Poll in progress (or the next one) return promptly.
  void Wake();

  // Called by Poll, before any IoHandler, when a Wake() is among the ready
  // events. Work posted from other threads (the reason for the wake) thus
  // runs before input that arrived later: a message posted before a peer
  // sent its next command is written before that command's reply.
  void set_wake_handler(std::function<void()> fn) { wake_handler_ = std::move(fn); }

 private:
  static constexpr int kMaxEvents = 256;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::function<void()> wake_handler_;
};

}  // namespace lodestone::net
