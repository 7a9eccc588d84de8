// Passing a file descriptor over a unix socket (SCM_RIGHTS), one fd per message.
#pragma once
#include <sys/types.h>

namespace burrow {

// Sends `fd` with a one-byte message. Async-signal-safe (raw syscalls on the stack, no
// allocation): used between clone and exec. Returns 0 or errno.
int send_fd(int sock, int fd);

// Receives one fd (close-on-exec). Throws Error "`what`: ..." on EOF or failure.
int receive_fd(int sock, const char* what);

// Receives one message: its first byte in *byte and the fd it carries in *fd (close-on-exec; -1
// when it carries none). Returns recvmsg's count: 0 at EOF, -1 with errno on failure.
ssize_t receive_message(int sock, char* byte, int* fd);

}  // namespace burrow
