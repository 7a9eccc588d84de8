// What the root's remote and output flags do in a program that has no API service of its own:
// --remote/--url/--connection (and $CONTAINER_HOST, $CONTAINER_CONNECTION) fail as Podman does
// when no endpoint answers, --noout sends stdout to /dev/null, --storage-opt replaces the
// storage.conf driver options.
#pragma once
#include <string>
#include <vector>

namespace burrow::storage {
struct StoreOptions;
}

namespace burrow::cli {

// Tries the service address as Podman's client does and throws its error (exit 125): no endpoint
// answering ("unable to connect to Podman socket: ... dial unix ///path: connect: ..."), a
// connection name containers.conf does not define, a scheme Podman does not know; and, when
// something does answer, that burrow cannot speak to it.
[[noreturn]] void connect_remote(const std::string& url, const std::string& connection);

// The error text of a URL Podman cannot use, or "" (pure: unit-tested).
std::string remote_url_error(const std::string& url);

void redirect_stdout_to_null();

// --storage-opt KEY=VALUE (overlay.mount_program, overlay.ignore_chown_errors, with or without the
// "overlay." prefix): the given list replaces storage.conf's options; '' alone clears them.
void apply_storage_opts(storage::StoreOptions& o, const std::vector<std::string>& opts);

}  // namespace burrow::cli
