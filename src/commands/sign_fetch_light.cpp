// In `burrow`: `image sign` runs in burrow-pull (runs_in_pull_binary), so this is never reached.
#include "base/error.hpp"
#include "src/commands/image_sign.hpp"

namespace burrow::commands {

SignManifest fetch_sign_manifest(const cli::Context&, const SignSource& src) {
    throw Error("getting image source: docker://" + src.full_name + ": image sign runs in burrow-pull");
}

}  // namespace burrow::commands
