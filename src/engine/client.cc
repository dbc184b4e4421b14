#include "engine/client.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "common/clock.h"
#include "common/log.h"
#include "common/strings.h"
#include "engine/acl_check.h"
#include "engine/command_table.h"
#include "engine/engine.h"
#include "engine/evictor.h"
#include "engine/executor.h"
#include "engine/remote_batch.h"
#include "engine/shard.h"
#include "protocol/errors.h"
#include "server/config.h"

namespace lodestone {

namespace {
constexpr size_t kReadChunk = 16 * 1024;
}  // namespace

Client::Client(Shard& shard, int fd, uint64_t id, std::string peer, std::string local,
               bool unix_socket)
    : shard_(shard), fd_(fd), id_(id), peer_(std::move(peer)), local_(std::move(local)) {
  created_ms = last_interaction_ms = WallTimeMs();
  if (unix_socket) flags |= kClientUnixSocket;
  const ServerConfig& cfg = shard.engine().config();
  authenticated = shard.engine().acl().default_auto_auth();
  protocol::ParserLimits limits;
  limits.max_bulk_len = cfg.proto_max_bulk_len;
  limits.authenticated = authenticated;
  parser_.set_limits(limits);
  batches_.resize(shard.engine().shard_count(), nullptr);
}

Client::~Client() {
  if (fd_ >= 0) close(fd_);
}

void Client::SetAuthenticated(bool yes) {
  authenticated = yes;
  protocol::ParserLimits limits;
  limits.max_bulk_len = shard_.engine().config().proto_max_bulk_len;
  limits.authenticated = yes;
  parser_.set_limits(limits);
}

void Client::ResumeAfterPause() {
  paused_ = false;
  ProcessInput();
  if (fd_ >= 0 && readable_ && outstanding_batches_ == 0 && !paused_) ReadFromSocket();
}

void Client::Close() {
  if (fd_ < 0) return;
  if (blocked_) {
    blocked_->TryClaim();  // nobody serves it any more
    shard_.RemoveBlockedClient(this);
    blocked_.reset();
  }
  if (flags & kClientMonitor) shard_.engine().RemoveMonitor(id_);
  if (tracking) TrackingDisable(shard_.engine(), *this, false);
  if (in_pubsub_mode()) shard_.engine().pubsub().UnsubscribeAll(*this);
  transaction_.Reset(shard_);
  shard_.loop().Remove(fd_);
  close(fd_);
  fd_ = -1;
  shard_.engine().connected_clients().fetch_sub(1);
  shard_.RemoveClient(this);
}

void Client::OnIoEvent(uint32_t events) {
  if (fd_ < 0) return;
  // A blocked client reads nothing more, so it would never see its peer's
  // EOF: a hang-up ends it now and gives up its wait.
  if (blocked_ && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
    Close();
    return;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
    readable_ = true;
    ReadFromSocket();
  }
  if (fd_ >= 0 && (events & EPOLLOUT) && HasPendingOutput()) shard_.MarkPendingWrite(this);
}

void Client::ReadFromSocket() {
  // in_process_: a script of this client is running and serves the loop in
  // busy mode; reading now could move the query buffer under its arguments.
  while (fd_ >= 0 && readable_ && outstanding_batches_ == 0 && !paused_ && !blocked_ && !in_process_ &&
         !(flags & (kClientCloseAfterReply | kClientCloseAsap))) {
    char* p = query_.PrepareWrite(kReadChunk);
    ssize_t n = read(fd_, p, kReadChunk);
    if (n > 0) {
      query_.Commit(size_t(n));
      shard_.stats().net_input_bytes += uint64_t(n);
      last_interaction_ms = WallTimeMs();
      // A short read drained the socket; new data will raise a new edge.
      if (size_t(n) < kReadChunk) readable_ = false;
      ProcessInput();
      if (fd_ >= 0 && query_.size() - query_pos_ > size_t(shard_.engine().config().client_query_buffer_limit)) {
        Log(LogLevel::kWarning, "Closing client that reached max query buffer length: id=%llu addr=%s",
            static_cast<unsigned long long>(id_), peer_.c_str());
        Close();
        return;
      }
    } else if (n == 0) {
      Close();
      return;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      readable_ = false;
    } else if (errno != EINTR) {
      Close();
      return;
    }
  }
}

namespace {
// Redis's processCommand: a RESP2 client with subscriptions may only
// (un)subscribe, PING, QUIT and RESET.
bool AllowedInPubSubMode(const CommandSpec& spec) {
  static constexpr std::string_view kAllowed[] = {
      "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
      "psubscribe", "punsubscribe", "quit", "reset"};
  for (std::string_view name : kAllowed) {
    if (spec.name == name) return true;
  }
  return false;
}

// The look-ahead over the commands of a pipelined batch. A lookup costs its
// cache misses one after another (the key's table slot, then its entry, then
// in a large set or hash the member's slot and node); prefetched in stages,
// each a command or more ahead of the command that needs it, they overlap
// with the work of the commands before instead. Only hints: nothing here
// changes state, and a wrong guess (a command whose second argument is no
// key, a key deeper in its chain, a SELECT in the batch) costs a wasted
// prefetch. The look-ahead finds every argument of a short command, so such a
// command is not parsed a second time (Parsed).
class PrefetchWindow {
 public:
  // 16: redis-benchmark's and many clients' pipeline depth, and about as
  // many misses as a core keeps in flight.
  static constexpr int kSize = 16;

  // Looks at the complete commands at the start of `data`, which is the query
  // buffer from offset `begin` (at most kSize commands), and starts the first
  // stages. `table`: the client's current database in its own shard; keys of
  // other shards are left to their own threads.
  void Fill(std::string_view data, size_t begin, Engine& engine, const Shard& shard,
            const KeyTable* table) {
    n_ = 0;
    next_ = 0;
    begin_ = begin;
    size_t pos = 0;
    while (n_ < kSize &&
           protocol::PeekArguments(std::string_view(data.data() + pos, data.size() - pos),
                                   args_[n_], &count_[n_], &size_[n_])) {
      offset_[n_] = pos;
      pos += size_[n_];
      n_++;
    }
    end_ = begin + std::max<size_t>(pos, 1);
    table_ = table;
    if (n_ < 2) {
      n_ = 0;  // one command has nothing to overlap with
      return;
    }
    const bool one_shard = engine.shard_count() == 1;
    for (int i = 0; i < n_; i++) {
      const std::string_view key = args_[i][1];
      local_[i] = one_shard || engine.ShardOfKey(key) == shard.id();
      if (!local_[i]) continue;
      hash_[i] = KeyTable::Hash(key);
      table_->PrefetchBucket(hash_[i]);
    }
    for (int i = 0; i < kLead; i++) PrefetchEntry(i);
    for (int i = 0; i < kLead - 1; i++) MemberSlot(i);
    MemberNode(0);
  }

  // Past the bytes the last Fill looked at: where the next Fill starts.
  size_t end() const { return end_; }

  // Before running the command at query buffer offset `offset`:
  // moves every stage one command on and returns the command's index in the
  // window (-1 if none). A command out of step (one Fill did not see, such
  // as an inline one) ends the window.
  int Advance(size_t offset) {
    if (next_ >= n_) return -1;
    if (offset != begin_ + offset_[next_]) {
      n_ = 0;
      return -1;
    }
    const int k = next_++;
    PrefetchEntry(k + kLead);
    MemberSlot(k + kLead - 1);
    MemberNode(k + 1);
    return k;
  }

  // Command `k`'s arguments and size, when Fill saw it whole and `parser`
  // would parse it to exactly these (idle, authenticated, every argument
  // within proto-max-bulk-len): then the parse is skipped.
  bool Parsed(int k, const protocol::RequestParser& parser, std::vector<std::string_view>* args,
              size_t* consumed) const {
    if (k < 0 || count_[k] > protocol::kPeekArgs || !parser.idle()) return false;
    const protocol::ParserLimits& limits = parser.limits();
    if (!limits.authenticated) return false;
    const int count = int(count_[k]);
    for (int i = 0; i < count; i++) {
      if (int64_t(args_[k][i].size()) > limits.max_bulk_len) return false;
    }
    args->assign(args_[k], args_[k] + count);
    *consumed = size_[k];
    return true;
  }

 private:
  // How many commands ahead the entry stage runs of the command using it.
  static constexpr int kLead = 3;

  void PrefetchEntry(int i) const {
    if (i < n_ && local_[i]) table_->PrefetchChainHead(hash_[i]);
  }
  void MemberSlot(int i) const { Member(i, 0); }
  void MemberNode(int i) const { Member(i, 1); }
  // The chain's first entry stands for the key's own, without comparing
  // keys. Strings, by far the most common values, stop here. Looked up again
  // at each stage: the commands run in between may have deleted the key or
  // replaced its collection. The member is the argument after the key.
  void Member(int i, int stage) const {
    if (i >= n_ || !local_[i] || count_[i] < 3) return;
    const Entry* e = table_->ChainHead(hash_[i]);
    if (e != nullptr && !e->value.IsString()) e->value.collection()->PrefetchMember(args_[i][2], stage);
  }

  int n_ = 0;
  int next_ = 0;
  size_t begin_ = 0;  // the query buffer offset Fill looked from
  size_t end_ = 0;
  const KeyTable* table_ = nullptr;
  size_t offset_[kSize];  // from begin_
  size_t size_[kSize];
  int64_t count_[kSize];
  std::string_view args_[kSize][protocol::kPeekArgs];
  uint64_t hash_[kSize];
  bool local_[kSize];
};

}  // namespace

std::string* Client::ReplyTarget() {
  if (slots_.empty()) return &out_;
  slots_.push_back(Slot{true, {}});
  return &slots_.back().data;
}

void Client::ProcessInput() {
  // Once shutting down no new command starts: a cross-shard one could wait
  // forever for a shard whose thread has already finished.
  if (in_process_ || fd_ < 0 || paused_ || blocked_ || shard_.stopping()) return;
  in_process_ = true;
  // CONFIG SET proto-max-bulk-len applies to connections already open.
  int64_t max_bulk = shard_.engine().config().proto_max_bulk_len;
  if (parser_.limits().max_bulk_len != max_bulk) SetAuthenticated(authenticated);
  PrefetchWindow prefetch;
  batch_clock_us_ = 0;
  while (fd_ >= 0 && !(flags & (kClientCloseAfterReply | kClientCloseAsap))) {
    if (query_pos_ >= prefetch.end()) {
      prefetch.Fill(query_.view(query_pos_), query_pos_, shard_.engine(), shard_,
                    &shard_.db(db).table());
    }
    const int in_window = prefetch.Advance(query_pos_);
    size_t consumed = 0;
    protocol::ParseStatus st = prefetch.Parsed(in_window, parser_, &args_, &consumed)
                                   ? protocol::ParseStatus::kOk
                                   : parser_.Parse(query_.view(query_pos_), &args_, &consumed);
    if (st == protocol::ParseStatus::kNeedMore) break;
    if (st == protocol::ParseStatus::kError) {
      protocol::ReplyBuilder rb(ReplyTarget(), resp);
      rb.Error(parser_.error());
      Log(LogLevel::kVerbose, "Protocol error (%s) from client: id=%llu addr=%s",
          parser_.error().c_str(), static_cast<unsigned long long>(id_), peer_.c_str());
      flags |= kClientCloseAfterReply;
      break;
    }
    if (args_.empty()) {
      query_pos_ += consumed;
      continue;
    }
    bool inline_args = query_.data()[query_pos_] != '*';
    if (!Dispatch(args_, inline_args)) {
      // Needs every earlier command back first; it is parsed again then.
      parser_.Reset();
      break;
    }
    query_pos_ += consumed;
    if (blocked_) break;  // nothing after a blocked command runs
    if (stop_after_dispatch_) {
      // A blocking command sent to another shard: wait for its outcome
      // (OnBatchDone resumes). One that ran here and did not block is done.
      stop_after_dispatch_ = false;
      bool sent_away = false;
      for (RemoteBatch* b : batches_) sent_away = sent_away || b != nullptr;
      if (sent_away) break;
    }
  }
  SendBatches();
  in_process_ = false;
  if (outstanding_batches_ == 0) Compact();
  ReleaseReadySlots();
  CheckOutputLimits();
  if (fd_ >= 0 && (HasPendingOutput() || (flags & kClientCloseAfterReply))) shard_.MarkPendingWrite(this);
}

void Client::Compact() {
  if (query_pos_ == 0) return;
  query_.Consume(query_pos_);
  query_pos_ = 0;
  if (query_.size() == 0) query_.ShrinkIfIdle(64 * 1024);
}

bool Client::Dispatch(const std::vector<std::string_view>& args, bool inline_args) {
  Engine& engine = shard_.engine();
  // Valid only if the previous dispatch ran a command here and nothing else
  // has run since (see ExecuteCommand's clock_us).
  int64_t clock_us = std::exchange(batch_clock_us_, 0);
  const CommandTable& table = engine.commands();
  // A pipeline mostly repeats its command names byte for byte: the last
  // name looked up, and what it named, save the table lookup (the table
  // never changes once the engine runs).
  const CommandSpec* top;
  if (last_top_ != nullptr && args[0] == last_name_) {
    top = last_top_;
  } else {
    top = table.Find(args[0]);
    if (top != nullptr && args[0].size() <= kCachedNameMax) {
      last_name_.assign(args[0]);
      last_top_ = top;
    }
  }
  bool unknown_sub = false;
  const CommandSpec* spec = table.Resolve(top, args, &unknown_sub);

  // CLIENT REPLY SKIP applies to the command after it.
  bool skip = flags & kClientReplySkipNext;
  flags &= ~kClientReplySkipNext;
  bool suppress = skip || (flags & kClientReplyOff);
  // A command rejected here inside MULTI makes EXEC fail (EXECABORT); a
  // rejected EXEC discards the transaction at once, saying why
  // (Redis's execCommandAbort: the reason loses its "ERR " prefix).
  auto error_reply = [&](const std::string& text) {
    std::string_view reason = text;
    std::string abort;
    if (transaction_.active() && spec != nullptr && spec->name == "exec") {
      if (reason.starts_with("ERR ")) reason.remove_prefix(4);
      abort = "EXECABORT Transaction discarded because of: " + std::string(reason);
      reason = abort;
      transaction_.Reset(shard_);
    }
    transaction_.FlagError();
    protocol::ReplyBuilder rb(suppress ? &discard_ : ReplyTarget(), resp);
    rb.Error(reason);
    discard_.clear();
    shard_.stats().CountErrorReply(reason);
  };

  if (spec == nullptr) {
    error_reply(protocol::UnknownCommand(args[0], std::span<const std::string_view>(args).subspan(1)));
    return true;
  }
  if (unknown_sub) {
    error_reply(protocol::UnknownSubcommand(spec->name, args[1]));
    shard_.command_stats()[spec->id].rejected_calls++;
    return true;
  }
  if (!ArityOk(*spec, args.size())) {
    error_reply(protocol::WrongArity(spec->name));
    shard_.command_stats()[spec->id].rejected_calls++;
    return true;
  }
  if (!authenticated && !(spec->flags & kNoAuth)) {
    error_reply(std::string(protocol::kNoAuth));
    shard_.command_stats()[spec->id].rejected_calls++;
    return true;
  }
  // ACL: skipped while the user may run anything (see engine/acl_check.h).
  if (acl_free_generation != engine.acl().generation()) {
    std::string denied;
    last_command = spec;  // the ACL log shows it as cmd=
    if (!AclAllows(*this, *spec, args, transaction_.active() ? acl::LogContext::kMulti
                                                             : acl::LogContext::kToplevel,
                   &denied)) {
      error_reply(denied);
      shard_.command_stats()[spec->id].rejected_calls++;
      return true;
    }
  }
  if (resp == 2 && in_pubsub_mode() && !AllowedInPubSubMode(*spec)) {
    error_reply("ERR Can't execute '" + spec->name +
                "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                "this context");
    shard_.command_stats()[spec->id].rejected_calls++;
    return true;
  }
  // A script running past busy-reply-threshold, on any thread: only
  // kAllowBusy commands (SCRIPT KILL, SHUTDOWN NOSAVE, AUTH...) run.
  ScriptBusyState& busy = engine.script_busy;
  if (busy.busy.load(std::memory_order_relaxed) > 0 && !(spec->flags & kAllowBusy)) {
    bool fn = busy.busy_functions.load(std::memory_order_relaxed) > 0;
    error_reply(fn ? std::string(protocol::kBusyFunction) : std::string(protocol::kBusyScript));
    shard_.command_stats()[spec->id].rejected_calls++;
    return true;
  }
  if (transaction_.active() && (spec->flags & kNoMulti)) {
    error_reply(std::string(protocol::kNotAllowedInMulti));
    shard_.command_stats()[spec->id].rejected_calls++;
    return true;
  }
  bool exec = transaction_.active() && spec->name == "exec";
  // maxmemory: over the limit, keys are evicted first (engine/evictor.h);
  // if that cannot bring memory under it, a command that may grow memory is
  // refused. EXEC is refused if any queued command would be, and the
  // transaction is discarded. With maxmemory 0 this costs one load.
  uint64_t maxmemory = engine.config().maxmemory;
  // Not while a script runs past busy-reply-threshold (this thread may be
  // inside it, or parked for it), as Redis skips it inside yielding commands.
  const bool over_maxmemory = maxmemory > 0 && engine.used_memory() > maxmemory;
  if (over_maxmemory) clock_us = 0;  // evicting may take a while
  if (over_maxmemory && busy.busy.load(std::memory_order_relaxed) == 0 && !PerformEvictions(shard_) &&
      ((spec->flags & kDenyOom) || (exec && (transaction_.queued_flags() & kDenyOom)))) {
    error_reply(std::string(protocol::kOom));
    shard_.command_stats()[spec->id].rejected_calls++;
    return true;
  }
  // tracking-table-max-keys lowered: trimmed before the command, as Redis.
  int64_t max_tracked = engine.config().tracking_table_max_keys;
  if (max_tracked > 0 &&
      engine.tracking().total_keys().load(std::memory_order_relaxed) > max_tracked) {
    TrackingEnforceLimitNow(engine, shard_);
  }
  // CLIENT PAUSE: the command waits (with everything after it) until the
  // pause ends; WRITE pauses hold back only commands that may write (EXEC:
  // if one of its queued commands may).
  int64_t pause_until = engine.pause_until_ms().load(std::memory_order_relaxed);
  if (pause_until > 0 && !(flags & kClientMonitor)) {
    uint64_t write_flags = spec->flags;
    if (exec) write_flags |= transaction_.queued_flags();
    bool applies = !engine.pause_writes_only().load(std::memory_order_relaxed) ||
                   (write_flags & (kWrite | kMayReplicate));
    if (applies && WallTimeMs() < pause_until) {
      paused_ = true;
      shard_.AddPausedClient(this);
      return false;
    }
  }
  // A blocking command waits for everything before it, and nothing after it
  // is dispatched until it has finished (it may block the client). A
  // transaction command (WATCH, EXEC...) also waits for everything before
  // it. A command queued inside MULTI waits for nothing. The command is
  // dispatched again from the start once the pending hops are back.
  bool blocking = (spec->flags & kBlocking) != 0;
  bool queued = transaction_.active() && !(spec->flags & kTransactionControl);
  if ((blocking || (spec->flags & kTransactionControl)) && !queued) {
    bool pending = outstanding_batches_ > 0;
    for (RemoteBatch* b : batches_) pending = pending || b != nullptr;
    if (pending) {
      if (skip) flags |= kClientReplySkipNext;  // still applies on the retry
      return false;
    }
    stop_after_dispatch_ = blocking;
  }
  // CLIENT REPLY ON, and RESET (which turns replies back on), answer even
  // though replies were off or skipped when they arrived, as in Redis
  // (a skipped RESET stays silent: it clears SKIP_NEXT, not SKIP).
  if (suppress && ((spec->name == "client|reply" && EqualsIgnoreCase(args[2], "on")) ||
                   (spec->name == "reset" && !skip))) {
    suppress = false;
  }
  commands_processed++;
  last_command = spec;
  if (engine.HasMonitors() && !(spec->flags & (kSkipMonitor | kAdmin))) FeedMonitor(args);

  // Inside MULTI everything but the transaction commands is queued.
  if (queued) {
    transaction_.Queue(*spec, args);
    protocol::ReplyBuilder rb(suppress ? &discard_ : ReplyTarget(), resp);
    rb.SimpleString("QUEUED");
    discard_.clear();
    return true;
  }

  if (spec->flags & kNoHop) return DispatchOnClientThread(*spec, args, suppress);

  // Route by the shards of the command's keys.
  int target = -1;
  bool multi = (spec->flags & kAllShards) != 0;
  std::vector<int> shards;
  if (!multi && !(spec->flags & kTransactionControl)) {
    if (spec->single_key > 0) {
      if (size_t(spec->single_key) < args.size()) target = engine.ShardOfKey(args[spec->single_key]);
    } else if (!spec->key_specs.empty()) {
      std::vector<int> positions;
      GetKeyPositions(*spec, args, &positions);
      for (int pos : positions) {
        int s = engine.ShardOfKey(args[pos]);
        if (target == -1) {
          target = s;
        } else if (s != target) {
          multi = true;
        }
        shards.push_back(s);
      }
    }
  }
  // CLIENT TRACKING: the id to remember this command's keys for (0: none).
  // Taken once the command is sure to run now (it consumes CLIENT CACHING).
  uint64_t reader = 0;
  if (multi) {
    // A cross-shard execution needs everything sent before it to be done.
    bool pending = outstanding_batches_ > 0;
    for (RemoteBatch* b : batches_) pending = pending || b != nullptr;
    if (pending) return false;
    reader = TrackingReaderFor(tracking.get(), *this, *spec);
    std::string* out = suppress ? &discard_ : ReplyTarget();
    protocol::ReplyBuilder rb(out, resp);
    BlockRequest block;
    auto run = [&] {
      ExecuteCommand(engine, shard_, *spec, args, rb, db, this, true, blocking ? &block : nullptr);
      if (reader != 0) TrackingRememberKeys(engine, shard_, true, *spec, args, reader);
      // BCAST keys of the parked shards are announced before the reply leaves.
      if (engine.tracking().client_count() > 0) {
        if (spec->flags & kAllShards) {
          for (int s = 0; s < engine.shard_count(); s++) {
            TrackingFlushBroadcasts(engine, engine.shard(s));
          }
        } else {
          for (int s : shards) TrackingFlushBroadcasts(engine, engine.shard(s));
        }
      }
    };
    ExecuteOwn(suppress, [&] {
      if (spec->flags & kAllShards) {
        engine.RunOnAllShards(shard_, run);
      } else {
        engine.RunCrossShard(shard_, shards, run);
      }
    });
    discard_.clear();
    if (block.requested) EnterBlocked(*spec, args, db, resp, block);
    return true;
  }
  reader = TrackingReaderFor(tracking.get(), *this, *spec);
  if (target == -1 || target == shard_.id()) {
    std::string* out = suppress ? &discard_ : ReplyTarget();
    protocol::ReplyBuilder rb(out, resp);
    auto run_here = [&](BlockRequest* block) {
      ExecuteOwn(suppress, [&] {
        ExecuteCommand(engine, shard_, *spec, args, rb, db, this, false, block, nullptr, &clock_us);
        if (reader != 0) TrackingRememberKeys(engine, shard_, false, *spec, args, reader);
      });
      batch_clock_us_ = clock_us;
      discard_.clear();
    };
    if (!blocking) {
      run_here(nullptr);
      return true;
    }
    // Built only for a blocking command (two vectors and a string).
    BlockRequest block;
    run_here(&block);
    if (block.requested) EnterBlocked(*spec, args, db, resp, block);
    return true;
  }
  // One remote shard: join this read's batch for it.
  RemoteBatch*& batch = batches_[target];
  if (batch == nullptr) {
    batch = new RemoteBatch;
    batch->client = this;
    batch->origin = &shard_;
    batch->target = target;
  }
  RemoteBatch::Item& item = batch->items.emplace_back();
  item.spec = spec;
  item.db = db;
  item.resp = resp;
  item.suppress = suppress;
  item.tracking_reader = reader;
  if (inline_args) {
    item.owned.assign(args.begin(), args.end());
    item.args.assign(item.owned.begin(), item.owned.end());
  } else {
    item.args.assign(args.begin(), args.end());
  }
  item.seq = slots_base_ + slots_.size();
  slots_.push_back(Slot{false, {}});
  return true;
}

bool Client::DispatchOnClientThread(const CommandSpec& spec,
                                    const std::vector<std::string_view>& args, bool suppress) {
  // EVAL and FCALL: inline when every declared key is on this shard, else a
  // cross-shard execution over the keys' shards; either may ask to be run
  // again over every shard (a script touching an undeclared key elsewhere).
  // Always after everything sent before it, like any cross-shard command.
  bool pending = outstanding_batches_ > 0;
  for (RemoteBatch* b : batches_) pending = pending || b != nullptr;
  if (pending) return false;
  Engine& engine = shard_.engine();
  std::vector<int> shards{shard_.id()};
  std::vector<int> positions;
  if (GetKeyPositions(spec, args, &positions)) {
    for (int pos : positions) shards.push_back(engine.ShardOfKey(args[pos]));
  }
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  // Pushes for this client made by the script (its PUBLISH to a channel it
  // subscribes, invalidations) follow the script's reply (ExecuteOwn).
  ExecuteOwn(suppress, [&] {
    std::string reply;
    protocol::ReplyBuilder rb(&reply, resp);
    ExecHooks hooks;
    hooks.held_shards = &shards;
    if (shards.size() == 1) {
      ExecuteCommand(engine, shard_, spec, args, rb, db, this, false, nullptr, &hooks);
    } else {
      engine.RunCrossShard(shard_, shards, [&] {
        ExecuteCommand(engine, shard_, spec, args, rb, db, this, true, nullptr, &hooks);
      });
    }
    if (hooks.retry_on_all_shards) {
      reply.clear();
      ExecHooks all;
      engine.RunOnAllShards(shard_, [&] {
        ExecuteCommand(engine, shard_, spec, args, rb, db, this, true, nullptr, &all);
      });
    }
    if (!suppress) ReplyTarget()->append(reply);
  });
  return true;
}

void Client::FeedMonitor(const std::vector<std::string_view>& args) {
  // +<unix time with microseconds> [<db> <addr>] "arg" "arg" ...
  int64_t now_us = WallTimeUs();
  char head[96];
  snprintf(head, sizeof(head), "+%lld.%06lld [%d %s]", static_cast<long long>(now_us / 1000000),
           static_cast<long long>(now_us % 1000000), db,
           (flags & kClientUnixSocket) ? ("unix:" + peer_).c_str() : peer_.c_str());
  std::string line = head;
  for (std::string_view a : args) {
    line += " \"";
    for (unsigned char ch : a) {
      switch (ch) {
        case '\\': line += "\\\\"; break;
        case '"': line += "\\\""; break;
        case '\n': line += "\\n"; break;
        case '\r': line += "\\r"; break;
        case '\t': line += "\\t"; break;
        case '\a': line += "\\a"; break;
        case '\b': line += "\\b"; break;
        default:
          if (ch < 32 || ch >= 127) {
            char hex[8];
            snprintf(hex, sizeof(hex), "\\x%02x", ch);
            line += hex;
          } else {
            line += char(ch);
          }
      }
    }
    line += '"';
  }
  line += "\r\n";
  shard_.engine().FeedMonitors(line);
}

void Client::SendBatches() {
  Engine& engine = shard_.engine();
  for (size_t i = 0; i < batches_.size(); i++) {
    RemoteBatch* batch = batches_[i];
    if (batch == nullptr) continue;
    batches_[i] = nullptr;
    outstanding_batches_++;
    Shard& target = engine.shard(int(i));
    target.Post([batch, &target, &engine] {
      protocol::ReplyBuilder rb(nullptr, 2);
      std::string discard;
      // The client's id is const and the client outlives the batch.
      target.tracking().set_current_writer(batch->client->id());
      int64_t clock_us = 0;  // one clock read per command (ExecuteCommand)
      for (RemoteBatch::Item& item : batch->items) {
        rb.set_out(item.suppress ? &discard : &item.reply);
        rb.set_resp(item.resp);
        bool can_block = (item.spec->flags & kBlocking) != 0;
        target.tracking().set_current_reader(item.tracking_reader);
        ExecuteCommand(engine, target, *item.spec, item.args, rb, item.db, nullptr, false,
                       can_block ? &item.block : nullptr, nullptr, &clock_us);
        if (item.tracking_reader != 0) {
          TrackingRememberKeys(engine, target, false, *item.spec, item.args, item.tracking_reader);
        }
        discard.clear();
      }
      target.tracking().set_current_writer(0);
      target.tracking().set_current_reader(0);
      // BCAST keys are announced before the replies go back.
      if (target.tracking().has_broadcasts()) TrackingFlushBroadcasts(engine, target);
      target.stats().remote_batches++;
      Shard* origin = batch->origin;
      origin->Post([batch] { batch->client->OnBatchDone(batch); });
    });
  }
}

void Client::OnBatchDone(RemoteBatch* batch) {
  outstanding_batches_--;
  if (fd_ < 0) {
    // Closed while the batch was away: its replies go nowhere. (An earlier
    // batch may already have cleared the slots, so they must not be indexed.)
    delete batch;
    slots_.clear();
    return;
  }
  for (RemoteBatch::Item& item : batch->items) {
    Slot& slot = slots_[item.seq - slots_base_];
    slot.data = std::move(item.reply);
    slot.done = true;
    if (item.block.requested && fd_ >= 0) {
      EnterBlocked(*item.spec, item.args, item.db, item.resp, item.block);
    }
  }
  delete batch;
  ReleaseReadySlots();
  if (outstanding_batches_ == 0) {
    Compact();
    ProcessInput();
    if (readable_) ReadFromSocket();
  }
  if (fd_ >= 0 && HasPendingOutput()) shard_.MarkPendingWrite(this);
}

void Client::EnterBlocked(const CommandSpec& spec, const std::vector<std::string_view>& args,
                          int db_index, int resp_version, const BlockRequest& req) {
  Engine& engine = shard_.engine();
  auto bc = std::make_shared<BlockedClient>();
  bc->home_shard = shard_.id();
  bc->client_id = id_;
  bc->spec = &spec;
  if (!req.args.empty()) {
    bc->args = req.args;
  } else {
    bc->args.assign(args.begin(), args.end());
  }
  bc->db = db_index;
  bc->resp = resp_version;
  bc->username = user;
  bc->acl_generation = engine.acl().generation();
  bc->acl_unrestricted = acl_free_generation == bc->acl_generation;
  if (retry_deadline_ms_ >= 0) {
    bc->deadline_ms = retry_deadline_ms_;
  } else {
    bc->deadline_ms = req.timeout_ms > 0 ? WallTimeMs() + req.timeout_ms : 0;
  }
  retry_deadline_ms_ = -1;
  bc->keys = req.keys;
  bc->timeout_reply = req.timeout_reply;
  // Group the keys by shard; a command whose keys share one shard is served
  // in place by that shard.
  std::vector<std::vector<std::string>> by_shard(engine.shard_count());
  int shards_used = 0;
  for (const std::string& key : req.keys) {
    auto& v = by_shard[engine.ShardOfKey(key)];
    if (v.empty()) shards_used++;
    v.push_back(key);
  }
  bc->single_shard = shards_used <= 1;
  blocked_ = bc;
  shard_.AddBlockedClient(this);
  for (int s = 0; s < engine.shard_count(); s++) {
    if (by_shard[s].empty()) continue;
    Shard& target = engine.shard(s);
    if (&target == &shard_) {
      target.RegisterBlocked(bc, by_shard[s]);
    } else {
      target.Post([&target, bc, keys = std::move(by_shard[s])] {
        if (!bc->claimed.load(std::memory_order_acquire)) target.RegisterBlocked(bc, keys);
      });
    }
  }
}

void Client::LeaveBlocked() {
  blocked_.reset();
  shard_.RemoveBlockedClient(this);
  ReleaseReadySlots();
  ProcessInput();
  if (fd_ >= 0 && readable_ && outstanding_batches_ == 0 && !blocked_) ReadFromSocket();
  if (fd_ >= 0 && HasPendingOutput()) shard_.MarkPendingWrite(this);
}

void Client::OnBlockedServed(const std::shared_ptr<BlockedClient>& bc, std::string reply) {
  if (blocked_ != bc || fd_ < 0) return;
  ReplyTarget()->append(reply);
  LeaveBlocked();
}

void Client::OnBlockedRetry(const std::shared_ptr<BlockedClient>& bc) {
  if (blocked_ != bc || fd_ < 0) return;
  blocked_.reset();
  shard_.RemoveBlockedClient(this);
  // Run the command again as if it had just arrived; it blocks again (with
  // its original deadline) if the key was taken meanwhile.
  retry_deadline_ms_ = bc->deadline_ms;
  std::vector<std::string_view> args(bc->args.begin(), bc->args.end());
  Dispatch(args, true);
  SendBatches();
  stop_after_dispatch_ = false;
  retry_deadline_ms_ = -1;
  if (!blocked_) {
    LeaveBlocked();
  }
}

void Client::OnBlockTimeout(bool claimed, bool error) {
  if (!blocked_) return;
  if (!claimed && !blocked_->TryClaim()) return;  // being served right now
  // The blocked call is counted now (see ExecuteCommand); CLIENT UNBLOCK
  // ... ERROR makes it a failed one.
  CommandStats& st = shard_.command_stats()[blocked_->spec->id];
  st.calls++;
  if (error) st.failed_calls++;
  std::string* target = ReplyTarget();
  protocol::ReplyBuilder rb(target, resp);
  if (error) {
    rb.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else if (!blocked_->timeout_reply.empty()) {
    target->append(blocked_->timeout_reply);
  } else {
    rb.NullArray();
  }
  LeaveBlocked();
}

void Client::ReleaseReadySlots() {
  while (!slots_.empty() && slots_.front().done) {
    Slot& s = slots_.front();
    if (out_pos_ == out_.size() && out_.empty()) {
      out_.swap(s.data);
    } else {
      out_.append(s.data);
    }
    slots_.pop_front();
    slots_base_++;
  }
}

template <typename Fn>
void Client::ExecuteOwn(bool suppressed, Fn&& fn) {
  bool was_executing = executing_;
  bool was_suppressed = reply_suppressed_;
  executing_ = true;
  reply_suppressed_ = suppressed;
  fn();
  executing_ = was_executing;
  reply_suppressed_ = was_suppressed;
  if (!executing_ && !deferred_pushes_.empty()) {
    std::string pushes;
    pushes.swap(deferred_pushes_);
    WritePush(pushes);
  }
}

void Client::WritePush(std::string_view bytes) {
  if (fd_ < 0 || over_output_limit_) return;
  if (executing_) {
    deferred_pushes_.append(bytes);
    return;
  }
  // After every reply already queued: the output, or the last finished slot.
  if (slots_.empty()) {
    out_.append(bytes);
  } else if (slots_.back().done) {
    slots_.back().data.append(bytes);
  } else {
    slots_.push_back(Slot{true, std::string(bytes)});
  }
  CheckOutputLimits();
  if (fd_ >= 0) shard_.MarkPendingWrite(this);
}

void Client::CheckOutputLimits() {
  if (fd_ < 0 || over_output_limit_) return;
  ClientClass cls = in_pubsub_mode() ? ClientClass::kPubSub : ClientClass::kNormal;
  const ClientBufferLimit& limit = shard_.engine().config().client_output_buffer_limits[int(cls)];
  if (limit.hard_limit_bytes == 0 && limit.soft_limit_bytes == 0) return;
  uint64_t used = output_size();
  for (const Slot& s : slots_) used += s.data.size();
  bool hard = limit.hard_limit_bytes > 0 && used >= limit.hard_limit_bytes;
  bool soft = false;
  if (limit.soft_limit_bytes > 0 && used >= limit.soft_limit_bytes) {
    int64_t now_ms = WallTimeMs();
    if (soft_limit_since_ms_ == 0) {
      soft_limit_since_ms_ = now_ms;
    } else {
      soft = (now_ms - soft_limit_since_ms_) / 1000 > limit.soft_limit_seconds;
    }
  } else {
    soft_limit_since_ms_ = 0;
  }
  if (!hard && !soft) return;
  Log(LogLevel::kWarning,
      "Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.",
      static_cast<unsigned long long>(id_), peer_.c_str());
  over_output_limit_ = true;
  flags |= kClientCloseAsap;
  shard_.MarkPendingWrite(this);
}

void Client::WriteRaw(std::string_view bytes) {
  std::string* target = ReplyTarget();
  target->append(bytes);
  ReleaseReadySlots();
  if (fd_ >= 0) shard_.MarkPendingWrite(this);
}

void Client::FlushOutput() {
  if (fd_ < 0) return;
  if (over_output_limit_) {  // dropped with whatever it had pending, as Redis does
    Close();
    return;
  }
  while (out_pos_ < out_.size()) {
    ssize_t n = write(fd_, out_.data() + out_pos_, out_.size() - out_pos_);
    if (n > 0) {
      out_pos_ += size_t(n);
      shard_.stats().net_output_bytes += uint64_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // EPOLLOUT will follow
    Close();
    return;
  }
  out_.clear();
  out_pos_ = 0;
  if (out_.capacity() > 1024 * 1024) std::string().swap(out_);
  if (flags & (kClientCloseAfterReply | kClientCloseAsap)) {
    if (slots_.empty()) Close();
  }
}

}  // namespace lodestone
