// The one-line description of a client that CLIENT LIST, CLIENT INFO and the
// ACL log show ("id=7 addr=... cmd=get user=default ...").
#pragma once

#include <cstdint>
#include <string>

namespace lodestone {

class Client;

// REQUIRES: the client's own thread, or every shard parked.
std::string ClientInfoLine(const Client& c, int64_t now_ms);

}  // namespace lodestone
