// SHA-256 (FIPS 180-4), for ACL password hashes: Redis stores and shows a
// user's passwords as the lowercase hex SHA-256 of the cleartext.
#pragma once

#include <string>
#include <string_view>

namespace lodestone::acl {

// The 64-character lowercase hex digest of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace lodestone::acl
