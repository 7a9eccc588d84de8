// Passing a file descriptor over a unix socket (SCM_RIGHTS), one fd per message.
#pragma once

namespace burrow {

// Sends `fd` with a one-byte message. Async-signal-safe (raw syscalls on the stack, no
// allocation): used between clone and exec. Returns 0 or errno.
int send_fd(int sock, int fd);

// Receives one fd (close-on-exec). Throws Error "`what`: ..." on EOF or failure.
int receive_fd(int sock, const char* what);

}  // namespace burrow
