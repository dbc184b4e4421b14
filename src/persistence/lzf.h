// LZF compression, in the byte format of Marc Lehmann's liblzf, which Redis
// uses for compressed strings in RDB files and DUMP payloads.
//
// The format is a sequence of items, each starting with a control byte c:
//
//   c < 32         a literal run: the next c + 1 bytes are copied to the
//                  output as they are (1..32 bytes);
//   c >> 5 in 1..6 a back reference of length (c >> 5) + 2, from offset
//                  ((c & 31) << 8 | next byte) + 1 bytes behind the output
//                  end;
//   c >> 5 == 7    the same, with the length (7 + next byte) + 2 and the low
//                  offset byte after that length byte.
//
// So a match is 3..264 bytes long and at most 8192 bytes back. A reference
// may overlap the bytes it produces (a run of one repeated byte). The
// compressed form does not record the original length: RDB stores it beside.
//
// Pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lodestone {

// Compresses `in` into `out` (resized) when the result fits in `max_out`
// bytes; returns false (out unspecified) when it does not, which Redis's
// callers take as "store the string uncompressed".
bool LzfCompress(std::string_view in, size_t max_out, std::string* out);

// Decompresses `in`, which must expand to exactly `out_len` bytes, into
// `out`. Fully validates untrusted input: a reference before the start of
// the output, a run past either end, or a length mismatch returns false.
bool LzfDecompress(std::string_view in, size_t out_len, std::string* out);

}  // namespace lodestone
