// RemoteBatch: the commands of one client's read that are bound for one
// other shard. Created on the client's thread, executed on the target shard,
// and handed back to the client's thread with the replies filled in. The
// argument views point into the client's query buffer, which stays untouched
// until the batch comes back (the client reads nothing meanwhile).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/executor.h"

namespace lodestone {

class Client;
class Shard;
struct CommandSpec;

struct RemoteBatch {
  struct Item {
    const CommandSpec* spec = nullptr;
    std::vector<std::string_view> args;
    std::vector<std::string> owned;  // inline commands own their arguments
    int db = 0;
    int resp = 2;
    bool suppress = false;  // CLIENT REPLY OFF/SKIP
    size_t seq = 0;         // the client's reply slot
    std::string reply;
    BlockRequest block;  // set when a blocking command found nothing to serve
    uint64_t tracking_reader = 0;  // CLIENT TRACKING: remember the keys for this id
  };
  Client* client = nullptr;
  Shard* origin = nullptr;
  int target = -1;
  std::vector<Item> items;
};

}  // namespace lodestone
