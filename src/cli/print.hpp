// Output for commands: stdout for results, stderr for "Error: ..." (stdout flushed first so the
// two streams interleave in the order they were written).
#pragma once
#include <string>

namespace burrow::cli {

void print_out(const std::string& s);
// Prints "Error: <msg>\n" to stderr.
void print_error(const std::string& msg);
// Prints a warning line to stderr, as Podman's logrus does at the default level: "WARN[0000] msg".
void print_warning(const std::string& msg);

}  // namespace burrow::cli
