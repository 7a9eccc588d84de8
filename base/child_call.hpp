// Work that must run in a process of its own (joining a container's namespaces with setns, which
// a process cannot undo, or changing credentials) without losing its error: the child reports an
// Error (message and exit code) back to the parent through a close-on-exec pipe, and the parent
// throws it again as if the work had run in-process.
#pragma once
#include <functional>
#include <string>

namespace burrow {

// Forks; the child runs `fn` and exits with its result. An Error thrown in the child is rethrown
// in the parent with the same message and exit code (any other exception: exit code 125). A child
// killed by a signal is an Error naming the signal. Returns fn's result otherwise.
// The caller must be single-threaded: the child runs ordinary code (allocation, exceptions).
int call_in_child(const std::function<int()>& fn);

// The wire format of a reported error (pure; unit-tested): 4 bytes of exit code, then the message.
std::string encode_child_error(int exit_code, const std::string& message);
// Decodes what encode_child_error wrote; false when `data` is too short to hold one.
bool decode_child_error(const std::string& data, int& exit_code, std::string& message);

}  // namespace burrow
