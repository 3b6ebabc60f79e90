#pragma once
/// \file
/// 128-bit integers (a GCC/Clang extension) for multiply-high, division and time arithmetic.

namespace retrace::detail {
__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;
} // namespace retrace::detail
