// IoBuffer: a growable byte buffer for socket reads, without the zero-fill
// that std::string::resize would do on every read.
#pragma once

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace lodestone::net {

class IoBuffer {
 public:
  IoBuffer() = default;
  ~IoBuffer() { free(data_); }
  IoBuffer(const IoBuffer&) = delete;
  IoBuffer& operator=(const IoBuffer&) = delete;

  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  std::string_view view(size_t from = 0) const { return {data_ + from, size_ - from}; }

  // Ensures room for `n` more bytes after size(); returns where to write them.
  // Invalidates pointers into the buffer.
  char* PrepareWrite(size_t n) {
    if (cap_ - size_ < n) Grow(size_ + n);
    return data_ + size_;
  }
  void Commit(size_t n) { size_ += n; }
  // Drops the first n bytes.
  void Consume(size_t n) {
    if (n >= size_) {
      size_ = 0;
      return;
    }
    memmove(data_, data_ + n, size_ - n);
    size_ -= n;
  }
  void Clear() { size_ = 0; }
  // Gives memory back when a big request left a big buffer behind.
  void ShrinkIfIdle(size_t keep) {
    if (size_ == 0 && cap_ > keep) {
      free(data_);
      data_ = nullptr;
      cap_ = 0;
    }
  }

 private:
  void Grow(size_t need) {
    size_t cap = cap_ ? cap_ : 1024;
    while (cap < need) cap *= 2;
    data_ = static_cast<char*>(realloc(data_, cap));
    cap_ = cap;
  }
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace lodestone::net
