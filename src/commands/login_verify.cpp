// Credentials checked against the registry (libcurl): linked into burrow-pull only.
#include "src/commands/login_verify.hpp"

#include "base/error.hpp"
#include "pull/registries_conf.hpp"
#include "pull/registry_client.hpp"
#include "src/cli/print.hpp"

namespace burrow::commands {

using cli::Context;

namespace {

std::string host_of(const std::string& key) { return key.substr(0, key.find('/')); }

pull::ClientOptions client_options(const Context& ctx, const std::string& host) {
    pull::ClientOptions o;
    if (ctx.flags.changed("tls-verify")) {
        o.tls_verify = ctx.flags.get_bool("tls-verify");
    } else {
        try {
            o.insecure = pull::RegistriesConf::load().is_insecure(host);
        } catch (const Error& e) {
            cli::print_warning(e.what());
        }
    }
    o.cert_dir = ctx.flags.get_string("cert-dir");
    return o;
}

}  // namespace

void verify_login(const Context& ctx, const std::string& key, const pull::Credentials& creds) {
    pull::ClientOptions o = client_options(ctx, host_of(key));
    o.credentials = creds;
    try {
        pull::RegistryClient(host_of(key), o).check_login();
    } catch (const Error& e) {
        throw Error("logging into \"" + key + "\": " + e.what());
    }
}

}  // namespace burrow::commands
