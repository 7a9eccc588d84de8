// In `burrow`: registry commands run in burrow-pull.
#include "src/cli/delegate.hpp"

namespace burrow::cli {

bool runs_in_pull_binary(const std::string& path) {
    return path == "pull" || path == "image pull" || path == "login" || path == "image sign";
}

}  // namespace burrow::cli

#include "base/error.hpp"
#include "src/commands/login_verify.hpp"

namespace burrow::commands {

// `burrow login` runs in burrow-pull (runs_in_pull_binary), so this is never reached.
void verify_login(const cli::Context&, const std::string& key, const pull::Credentials&) {
    throw Error("logging into \"" + key + "\": login runs in burrow-pull");
}

}  // namespace burrow::commands
