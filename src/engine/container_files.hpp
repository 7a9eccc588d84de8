// Pure planners for what a container finds inside at start: /run/.containerenv, the passwd and
// group lines Podman adds (--userns=keep-id, --hostuser, a numeric --user), and the environment of
// its processes. No I/O here; the engine reads the inputs and writes the results (unit-tested).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace burrow::engine {

// /run/.containerenv as Podman 4.3 writes it: empty for an unprivileged container; with
// --privileged the engine ("<program>-<version>"), name, id, image, imageid and rootless keys, in
// Go's %q quoting.
struct ContainerEnvInput {
    bool privileged = false;
    std::string engine;  // "burrow-0.1.0" (the program name as invoked, then the version)
    std::string name, id, image, image_id;
    bool rootless = true;
};
std::string containerenv_content(const ContainerEnvInput& in);

// An account of the host's (getpwuid/getpwnam) or group (getgrgid).
struct HostAccount {
    std::string name;
    uint32_t uid = 0, gid = 0;
    std::string gecos, home;
};
struct HostGroup {
    std::string name;
    uint32_t gid = 0;
};

struct PasswdInput {
    std::optional<std::string> passwd, group;  // the container's /etc/passwd and /etc/group
    // --userns=keep-id: the user running burrow (and their primary group) are added.
    std::optional<HostAccount> current_user;
    std::optional<HostGroup> current_group;
    std::vector<HostAccount> host_users;       // --hostuser
    std::string user;                          // the container's user spec ("", "1000", "1000:1000", "name")
    std::string workdir = "/";
    std::vector<std::string> mount_destinations;  // the container's volumes and mounts
    bool env_has_home = false;
    // --passwd-entry: the line's template ($USERNAME, $UID, $GID, $NAME, $HOME); "" = Podman's form
    std::string entry_template;
};

struct PasswdPlan {
    std::string passwd_lines, group_lines;  // to append ("" = nothing to add)
    std::optional<std::string> home;        // HOME to set (when the env has none and a user was added)
};

// Podman 4.3's rules (libpod generatePasswdEntry / generateGroupEntry): an account is added only
// when neither its name nor its uid is in the file; its home is the host home when that (or a
// parent of it below /) is a mount destination, else the working directory; a numeric user gets a
// "container user" line; the keep-id user's primary group is added when neither its name nor gid
// is in /etc/group. Throws Error (group name of a numeric user missing) with Podman's text.
PasswdPlan plan_passwd(const PasswdInput& in);

// The environment a process starts with: `env` with TERM=xterm with a tty and HOME=`home` when
// unset. No PATH is added (create gave the default; --unsetenv-all means none: the command is
// then looked up in Podman's default list).
std::vector<std::string> process_env(std::vector<std::string> env, bool tty, const std::string& home);

// The process environment of an exec session (pure; unit-tested): the container's environment,
// TERM=xterm with a tty, the env files' lines, then -e (later wins; a bare KEY takes
// `lookup(KEY)` and is dropped when that is unset).
std::vector<std::string> exec_env(const std::vector<std::string>& container_env, bool tty,
                                  const std::vector<std::string>& file_lines, const std::vector<std::string>& env,
                                  const std::function<std::optional<std::string>(const std::string&)>& lookup);

}  // namespace burrow::engine
