#pragma once
/// \file
/// retrace's version, as one source of truth shared by the library, the CLI and logs.

namespace retrace {

/// Semantic version of the library; logs record it so a replay can say which retrace wrote them.
inline constexpr int version_major = 0;
inline constexpr int version_minor = 1;
inline constexpr int version_patch = 0;
/// "major.minor.patch", as printed by `retrace --version`.
inline constexpr const char* version_string = "0.1.0";

} // namespace retrace
