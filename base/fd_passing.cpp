#include "base/fd_passing.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/error.hpp"

namespace burrow {

namespace {

union ControlBuffer {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
};

}  // namespace

int send_fd(int sock, int fd) {
    char byte = 'f';
    struct iovec iov {&byte, 1};
    ControlBuffer ctl;
    ::memset(&ctl, 0, sizeof ctl);
    struct msghdr msg;
    ::memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.buf;
    msg.msg_controllen = sizeof ctl.buf;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    ::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t n;
    do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? errno : 0;
}

ssize_t receive_message(int sock, char* byte, int* fd) {
    *fd = -1;
    struct iovec iov {byte, 1};
    ControlBuffer ctl;
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.buf;
    msg.msg_controllen = sizeof ctl.buf;
    ssize_t n;
    do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) ::memcpy(fd, CMSG_DATA(c), sizeof *fd);
    return n;
}

int receive_fd(int sock, const char* what) {
    char byte;
    int fd = -1;
    ssize_t n = receive_message(sock, &byte, &fd);
    if (n < 0) throw_errno(what);
    if (fd < 0) throw Error(std::string(what) + ": no file descriptor came");
    return fd;
}

}  // namespace burrow
