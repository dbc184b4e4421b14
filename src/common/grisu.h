// Grisu2: short decimal digits for a double, as Redis 7.4 prints double replies.
//
// Redis formats doubles with fpconv_dtoa, which runs Florian Loitsch's Grisu2
// ("Printing Floating-Point Numbers Quickly and Accurately with Integers",
// PLDI 2010). Grisu2's digits always read back as the same double and are the
// shortest such digits for about 99.9% of doubles; for the rest they are one
// digit longer, or end in a different last digit than the true shortest form
// would. Clients see those digits, so we reproduce Grisu2 step for step
// rather than use a shortest-digits algorithm (std::to_chars, Ryu). This is
// the digit generator only; FormatDouble() in strings.h lays the digits out.
#pragma once

namespace lodestone {

// Longest digit string Grisu2 produces, with room to spare.
inline constexpr int kGrisuMaxDigits = 20;

// Writes the digits of |v| (no sign, no NUL, no leading zeros) to `digits`,
// which must hold kGrisuMaxDigits bytes, and returns their count n;
// *decimal_exponent receives k such that |v| ~= digits * 10^k.
// REQUIRES: v is finite and not zero.
int Grisu2(double v, char* digits, int* decimal_exponent);

}  // namespace lodestone
