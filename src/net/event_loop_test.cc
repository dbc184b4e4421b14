#include "net/event_loop.h"

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace lodestone::net {
namespace {

class PipeReader : public IoHandler {
 public:
  explicit PipeReader(int fd) : fd_(fd) {}
  void OnIoEvent(uint32_t events) override {
    char buf[64];
    while (read(fd_, buf, sizeof(buf)) > 0) calls++;
  }
  int calls = 0;

 private:
  int fd_;
};

TEST(EventLoopTest, DispatchesReadableFd) {
  EventLoop loop;
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_NONBLOCK), 0);
  PipeReader reader(fds[0]);
  ASSERT_TRUE(loop.Add(fds[0], EPOLLIN, &reader));
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  EXPECT_EQ(loop.Poll(1000), 1);
  EXPECT_EQ(reader.calls, 1);
  loop.Remove(fds[0]);
  close(fds[0]);
  close(fds[1]);
}

TEST(EventLoopTest, WakeFromAnotherThreadEndsWait) {
  EventLoop loop;
  std::thread waker([&] { loop.Wake(); });
  // Must return well before the 10 s timeout.
  loop.Poll(10000);
  waker.join();
  SUCCEED();
}

}  // namespace
}  // namespace lodestone::net
