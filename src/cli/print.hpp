// Output for commands: stdout for results, stderr for "Error: ..." (stdout flushed first so the
// two streams interleave in the order they were written).
#pragma once
#include <string>

namespace burrow::cli {

void print_out(const std::string& s);
// Prints "Error: <msg>\n" to stderr.
void print_error(const std::string& msg);
// A warning on stderr as Podman's logrus prints it (base/log.hpp: "WARN[0000] msg" on a terminal,
// time="..." level=warning msg="..." otherwise).
void print_warning(const std::string& msg);

}  // namespace burrow::cli
