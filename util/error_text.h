// Error messages are one line of plain text, whatever the input they echo: a key,
// a path or a trace line may hold a newline, a terminal escape sequence or ten
// megabytes. one_line() escapes control bytes (\n, \x1b ...) and the characters that
// show as nothing or act on a terminal (C1 controls, zero-width spaces, U+2028/9, the
// byte-order mark: \u009b ...), and cuts the middle of a message too long to read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace s2sim {

inline constexpr std::size_t kMaxErrorBytes = 1000;

std::string one_line(std::string_view text, std::size_t max_bytes = kMaxErrorBytes);

}  // namespace s2sim
