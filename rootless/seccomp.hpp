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

// Compiles a profile in Podman's JSON format for the native architecture, for a process that
// will hold capabilities `caps` (rules with includes/excludes "caps" depend on them) on this
// kernel (minKernel). Throws Error (exit 125) naming `what` (the profile's path) when the JSON is
// malformed or names an unknown action/architecture; unknown syscall names are skipped, as Podman does.
SeccompProgram compile_seccomp(const std::string& profile_json, uint64_t caps, const std::string& what);

// compile_seccomp of the default profile, cached on disk under `cache_dir` (keyed by a hash of the
// profile, the caps, the arch and the kernel release) so that a start needs no compile. "" = no cache.
SeccompProgram default_seccomp_program(uint64_t caps, const std::string& cache_dir);

// Installs the program in the calling thread (async-signal-safe: one syscall). Returns 0 or errno.
int install_seccomp(const SeccompProgram& p);

}  // namespace burrow::rootless
