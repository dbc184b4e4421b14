// Client: one connection, owned by the shard whose thread accepted it.
//
// Request path. Bytes read from the socket are parsed into commands whose
// arguments are views into the query buffer (no copies). Each command is
// checked (known, arity, auth) and routed by the shards of its keys:
//   - no keys, or every key on this shard: executed inline, now;
//   - every key on one other shard: appended to that shard's batch for this
//     read; batches are posted once the whole read has been dispatched;
//   - keys on several shards, or a command that needs all shards: executed
//     inline as a cross-shard execution, after earlier batches have returned.
// Replies are kept in request order: a reply that cannot be written yet
// (because an earlier command is still away on another shard) waits in a
// slot. While a batch is away the client reads nothing more, so the views in
// the batch stay valid. Output is written once per loop iteration.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "engine/blocking.h"
#include "engine/executor.h"
#include "engine/pubsub.h"
#include "engine/tracking.h"
#include "engine/transaction.h"
#include "net/event_loop.h"
#include "net/io_buffer.h"
#include "protocol/reply_builder.h"
#include "protocol/request_parser.h"

namespace lodestone {

namespace acl {
class User;
}  // namespace acl
class Shard;
class Engine;
struct CommandSpec;
struct RemoteBatch;

// Client flags, as CLIENT LIST reports some of them.
enum ClientFlag : uint32_t {
  kClientCloseAfterReply = 1 << 0,
  kClientCloseAsap = 1 << 1,
  kClientReplyOff = 1 << 2,
  kClientReplySkipNext = 1 << 3,
  kClientReplySkip = 1 << 4,
  kClientNoEvict = 1 << 5,
  kClientNoTouch = 1 << 6,
  kClientMonitor = 1 << 7,
  kClientUnixSocket = 1 << 8,
};

class Client : public net::IoHandler {
 public:
  Client(Shard& shard, int fd, uint64_t id, std::string peer, std::string local, bool unix_socket);
  ~Client() override;

  void OnIoEvent(uint32_t events) override;

  // Writes pending output with one write call. Returns false if the client
  // was closed.
  void FlushOutput();
  bool HasPendingOutput() const { return out_pos_ < out_.size(); }
  // Closes the socket now; the object is freed by the shard once no batch
  // still refers to it.
  void Close();
  bool closed() const { return fd_ < 0; }
  bool Reclaimable() const { return fd_ < 0 && outstanding_batches_ == 0; }

  // Called on this client's thread when a batch it sent comes back.
  void OnBatchDone(RemoteBatch* batch);

  // Appends raw protocol to the output (MONITOR feed, pushes).
  void WriteRaw(std::string_view bytes);

  // --- State read and changed by connection commands ---
  Shard& shard() { return shard_; }
  uint64_t id() const { return id_; }
  int fd() const { return fd_; }
  const std::string& peer() const { return peer_; }
  const std::string& local() const { return local_; }
  std::string name;
  std::string lib_name;
  std::string lib_ver;
  std::string user = "default";
  // ACL (engine/acl_check.h): the user's rules and the registry generation
  // they were read at; acl_free_generation equals the registry's generation
  // while the user may run anything, which lets Dispatch skip the checks.
  std::shared_ptr<const acl::User> acl_user;
  uint64_t acl_user_generation = 0;
  uint64_t acl_free_generation = 0;
  int db = 0;
  int resp = 2;
  bool authenticated = false;
  uint32_t flags = 0;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  const CommandSpec* last_command = nullptr;  // for CLIENT LIST cmd=
  uint64_t commands_processed = 0;
  size_t query_buffer_size() const { return query_.size(); }
  size_t query_buffer_capacity() const { return query_.capacity(); }
  size_t output_size() const { return out_.size() - out_pos_; }
  // CLIENT TRACKING options (engine/tracking.h); null while tracking is off.
  std::unique_ptr<ClientTracking> tracking;
  // Killed by CLIENT KILL from another thread: closed at the next chance.
  void RequestClose() { flags |= kClientCloseAsap; }
  // AUTH/HELLO/RESET: also lifts the parser's limits for unauthenticated
  // clients.
  void SetAuthenticated(bool yes);
  // Called by the shard when a pause may have ended.
  void ResumeAfterPause();
  // True while the client waits for CLIENT PAUSE to end.
  bool paused() const { return paused_; }

  // --- MULTI/EXEC and WATCH (engine/transaction.h); own thread only, or
  // read with every shard parked (CLIENT LIST, INFO) ---
  Transaction& transaction() { return transaction_; }
  const Transaction& transaction() const { return transaction_; }

  // --- Blocking (engine/blocking.h); own thread only ---
  bool blocked() const { return blocked_ != nullptr; }
  const std::shared_ptr<BlockedClient>& blocked_request() const { return blocked_; }
  int64_t block_deadline_ms() const { return blocked_ ? blocked_->deadline_ms : 0; }
  // A shard served the blocked command: `reply` is its reply.
  void OnBlockedServed(const std::shared_ptr<BlockedClient>& bc, std::string reply);
  // A key of a multi-shard blocked command is ready: run it again here.
  void OnBlockedRetry(const std::shared_ptr<BlockedClient>& bc);
  // Timeout (or CLIENT UNBLOCK). When `claimed` is false the wait is claimed
  // here first; nothing happens if someone else got it. `error` sends
  // CLIENT UNBLOCK ... ERROR's error instead of the timeout reply.
  void OnBlockTimeout(bool claimed, bool error = false);

  // --- Pub/Sub (engine/pubsub.h); own thread only ---
  // The channels, patterns or shard channels this client subscribes to
  // (PubSub keeps the shared registry in step).
  std::unordered_set<std::string>& subscriptions(PubSubKind kind) {
    return subscriptions_[int(kind)];
  }
  size_t subscription_count(PubSubKind kind) const { return subscriptions_[int(kind)].size(); }
  // Channels plus patterns: the count SUBSCRIBE and PSUBSCRIBE replies show.
  size_t channel_and_pattern_count() const {
    return subscription_count(PubSubKind::kChannel) + subscription_count(PubSubKind::kPattern);
  }
  // Redis's CLIENT_PUBSUB: subscribed to anything. In RESP2 only the
  // (un)subscribe commands, PING, QUIT and RESET are then allowed.
  bool in_pubsub_mode() const {
    return channel_and_pattern_count() + subscription_count(PubSubKind::kShardChannel) > 0;
  }
  // Appends a push (a published message, a keyspace notification). While
  // this client's own command executes, the push waits until that command's
  // reply has been written, as in Redis 7.4. Enforces the output buffer
  // limits: a client over its hard limit, or over its soft limit for too
  // long, is closed.
  void WritePush(std::string_view bytes);
  // True while the executing command's reply is being discarded (CLIENT
  // REPLY OFF/SKIP): subscription confirmations are still sent, as pushes.
  bool reply_suppressed() const { return reply_suppressed_; }

 private:
  // Parses and dispatches as much buffered input as possible.
  void ProcessInput();
  void ReadFromSocket();
  // Dispatches one parsed command. Returns false when processing must stop
  // here (the command could not run yet and must be retried later).
  bool Dispatch(const std::vector<std::string_view>& args, bool inline_args);
  // A kNoHop command (EVAL, FCALL): see Dispatch.
  bool DispatchOnClientThread(const CommandSpec& spec, const std::vector<std::string_view>& args,
                              bool suppress);
  void SendBatches();
  void FeedMonitor(const std::vector<std::string_view>& args);
  // Starts waiting for `req` after `spec` found nothing to serve.
  void EnterBlocked(const CommandSpec& spec, const std::vector<std::string_view>& args, int db_index,
                    int resp_version, const BlockRequest& req);
  // Back to normal after a blocked command ended; resumes processing input.
  void LeaveBlocked();
  // Where the next reply goes: the output buffer, or a new ordered slot.
  std::string* ReplyTarget();
  void ReleaseReadySlots();
  void Compact();
  // Runs `fn` (which executes one of this client's commands on its thread)
  // with pushes to this client deferred, then writes them after the reply.
  template <typename Fn>
  void ExecuteOwn(bool suppressed, Fn&& fn);
  // Output buffer limits (client-output-buffer-limit) after output grew.
  void CheckOutputLimits();

  Shard& shard_;
  int fd_;
  const uint64_t id_;
  const std::string peer_;
  const std::string local_;

  net::IoBuffer query_;
  size_t query_pos_ = 0;  // start of the first byte not yet dispatched
  // When the last command of this read that ran here ended (ExecuteCommand's
  // clock_us): the next one's start, if nothing else ran in between.
  int64_t batch_clock_us_ = 0;
  // Dispatch's one-entry cache of the last command name it looked up (names
  // of up to kCachedNameMax bytes: no allocation) and its top-level spec.
  static constexpr size_t kCachedNameMax = 15;
  std::string last_name_;
  const CommandSpec* last_top_ = nullptr;
  protocol::RequestParser parser_;
  std::vector<std::string_view> args_;

  std::string out_;
  size_t out_pos_ = 0;
  std::string discard_;  // replies suppressed by CLIENT REPLY

  struct Slot {
    bool done = false;
    std::string data;
  };
  std::deque<Slot> slots_;       // replies waiting for earlier ones
  size_t slots_base_ = 0;        // sequence number of slots_.front()
  std::vector<RemoteBatch*> batches_;  // per target shard, for the current read
  int outstanding_batches_ = 0;
  bool readable_ = false;   // the socket may have unread bytes (edge-triggered)
  bool in_process_ = false;
  bool paused_ = false;
  bool stop_after_dispatch_ = false;  // a blocking command was just dispatched
  std::shared_ptr<BlockedClient> blocked_;
  Transaction transaction_;
  int64_t retry_deadline_ms_ = -1;  // keeps the deadline across a retry
  bool pending_write_registered_ = false;

  std::unordered_set<std::string> subscriptions_[kPubSubKinds];
  bool executing_ = false;         // one of this client's commands runs now
  bool reply_suppressed_ = false;  // ... and its reply is discarded
  std::string deferred_pushes_;    // pushes that arrived while executing_
  int64_t soft_limit_since_ms_ = 0;  // when output first passed the soft limit
  bool over_output_limit_ = false;   // close without writing what is pending
  friend class Shard;
};

}  // namespace lodestone
