// Status and Result<T>: errors as values, from the bottom of the stack up.
//
// A Status is either OK or carries the full text of a Redis error reply without
// the leading '-' ("ERR syntax error", "WRONGTYPE Operation against ...").
// The text is chosen once, where the error is detected, usually from the
// constants in protocol/errors.h; the reply layer writes it out unchanged.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace lodestone {

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string_view text) { return Status(std::string(text)); }

  bool ok() const { return !error_.has_value(); }
  // REQUIRES: !ok()
  const std::string& message() const { return *error_; }

 private:
  explicit Status(std::string text) : error_(std::move(text)) {}
  std::optional<std::string> error_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT; REQUIRES: !status.ok()

  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Status& status() const { return std::get<1>(v_); }
  const std::string& message() const { return status().message(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace lodestone
