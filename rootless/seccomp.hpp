// Seccomp: Podman's profile format (containers/common seccomp.json) compiled with libseccomp into
// a BPF program before the container process is forked, so the child only has to install it.
#pragma once
#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

namespace burrow::rootless {

struct SeccompProgram {
    std::vector<sock_filter> filter;  // empty = no filter (unconfined)
};

// The built-in default profile (Podman's default rules: what it blocks is blocked), as JSON in
// Podman's format.
const std::string& default_seccomp_profile();
// What the default profile refuses, beyond Podman 4.3's: without CAP_SYS_ADMIN, no namespace
// creation or joining (clone flags, clone3, unshare, setns) and no mount calls; keyctl for every
// container (see seccomp.cpp).

// Compiles a profile in Podman's JSON format for the native architecture, for a process that
// will hold capabilities `caps` (rules with includes/excludes "caps" depend on them) on this
// kernel (minKernel). Throws Error (exit 125) naming `what` (the profile's path) when the JSON is
// malformed or names an unknown action/architecture; unknown syscall names are skipped, as Podman does.
SeccompProgram compile_seccomp(const std::string& profile_json, uint64_t caps, const std::string& what);

// compile_seccomp of the default profile, cached on disk under `cache_dir` (keyed by a hash of the
// profile, the caps, the arch and the kernel release) so that a start needs no compile. "" = no cache.
SeccompProgram default_seccomp_program(uint64_t caps, const std::string& cache_dir);

// Installs the program in the calling thread (async-signal-safe: one syscall, no allocation).
// Returns 0 or errno.
//
// Ordering, for the container process: the kernel takes a filter from a process without
// no_new_privs only while it holds CAP_SYS_ADMIN in its user namespace (otherwise EACCES). So
// without --security-opt no-new-privileges, install it BEFORE setresuid to a non-root user and
// before capset drops CAP_SYS_ADMIN from the effective set (dropping the bounding set first is
// fine); with no_new_privs, set PR_SET_NO_NEW_PRIVS first and install it last, right before
// execve. Everything the process does after the install must be allowed by the filter: the
// default profile allows setgroups, setresgid/setresuid, prctl, capset, close_range, write,
// sendmsg, execve/execveat and exit_group for any capability set. An empty program (unconfined)
// installs nothing and returns 0.
int install_seccomp(const SeccompProgram& p);

}  // namespace burrow::rootless
