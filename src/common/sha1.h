// SHA-1 (FIPS 180-4), used to name Lua scripts (EVALSHA, SCRIPT LOAD,
// redis.sha1hex). Not for security: script names only need Redis's digests.
// A small self-contained implementation instead of OpenSSL's, whose one-shot
// SHA1() is deprecated in OpenSSL 3 and whose EVP interface allocates.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace lodestone {

// The 20-byte digest of `data`.
std::array<uint8_t, 20> Sha1(std::string_view data);
// The digest as 40 lowercase hexadecimal characters, as Redis prints it.
std::string Sha1Hex(std::string_view data);

}  // namespace lodestone
