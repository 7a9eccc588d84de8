// The registry side of `image sign` (libcurl): linked into burrow-pull only.
#include "base/error.hpp"
#include "pull/auth.hpp"
#include "pull/registries_conf.hpp"
#include "pull/registry_client.hpp"
#include "src/cli/print.hpp"
#include "src/commands/image_sign.hpp"

namespace burrow::commands {

SignManifest fetch_sign_manifest(const cli::Context& ctx, const SignSource& src) {
    pull::ClientOptions o;
    try {
        o.insecure = pull::RegistriesConf::load().is_insecure(src.registry);
    } catch (const Error& e) {
        cli::print_warning(e.what());
    }
    o.cert_dir = ctx.flags.get_string("cert-dir");
    o.credentials = pull::lookup_credentials(src.registry + "/" + src.repository, ctx.flags.get_string("authfile"));
    try {
        auto m = pull::RegistryClient(src.registry, o).get_manifest(src.repository, src.tag_or_digest);
        return {m.body, m.digest};
    } catch (const Error& e) {
        throw e.wrap("getting image source: initializing source docker://" + src.full_name);
    }
}

}  // namespace burrow::commands
