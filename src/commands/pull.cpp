// `pull` / `image pull`: the engine does the work; this parses the flags and prints the id.
#include "base/error.hpp"
#include "base/strings.hpp"
#include "src/cli/print.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"
#include "src/engine/image_pull.hpp"

namespace burrow::commands {

using cli::Context;

namespace {

engine::PullOptions pull_options(const Context& ctx, const std::string& reference) {
    const auto& f = ctx.flags;
    engine::PullOptions o;
    o.reference = reference;
    std::string platform = f.get_string("platform");
    if (!platform.empty()) {
        auto parts = split(platform, '/');
        if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
            throw Error("invalid platform syntax for --platform=\"" + platform + "\": use OS/ARCH[/VARIANT]");
        o.os = parts[0];
        o.arch = parts[1];
        if (parts.size() == 3) o.variant = parts[2];
        if (f.changed("os") || f.changed("arch"))
            throw Error("--platform option can not be specified with --arch or --os");
    }
    if (f.changed("os")) o.os = f.get_string("os");
    if (f.changed("arch")) o.arch = f.get_string("arch");
    if (f.changed("variant")) o.variant = f.get_string("variant");
    if (f.changed("tls-verify")) o.tls_verify = f.get_bool("tls-verify");
    o.authfile = f.get_string("authfile");
    o.cert_dir = f.get_string("cert-dir");
    o.creds = f.get_string("creds");
    o.quiet = f.get_bool("quiet");
    return o;
}

int pull_cmd(Context& ctx) {
    std::vector<std::string> refs = ctx.args;
    if (ctx.flags.get_bool("all-tags")) {  // each tag the registry lists, one pull after the other
        refs.clear();
        for (const auto& arg : ctx.args)
            for (auto& r : engine::all_tag_references(pull_options(ctx, arg))) refs.push_back(std::move(r));
    }
    for (const auto& ref : refs) {
        engine::PullOptions o = pull_options(ctx, ref);
        std::string id = engine::pull_image(ctx.store(), o);
        cli::print_out(id + "\n");
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace

void register_pull(cli::CommandTable& t) {
    cli::Command pull;
    pull.path = "pull";
    pull.use = "[options] IMAGE [IMAGE...]";
    pull.short_help = "Pull an image from a registry";
    pull.long_help = "Pulls an image from a registry and stores it locally.";
    pull.examples = {"burrow pull 127.0.0.1:5000/busybox:latest", "burrow pull --tls-verify=false 127.0.0.1:5000/x",
                     "burrow pull --creds=user:password registry.example.com/app"};
    cli::FlagSpec tls = bool_flag("tls-verify", 0, "Require HTTPS and verify certificates when contacting registries");
    tls.default_value = "true";
    pull.flags = {bool_flag("all-tags", 'a', "All tagged images in the repository will be pulled"),
                  placeholder(string_flag("arch", 0, "Use ARCH instead of the architecture of the machine for choosing images"), "ARCH"),
                  string_flag("authfile", 0, "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override"),
                  placeholder(string_flag("cert-dir", 0, "Pathname of a directory containing TLS certificates and keys"), "Pathname"),
                  placeholder(string_flag("creds", 0, "Credentials (USERNAME:PASSWORD) to use for authenticating to a registry"), "Credentials"),
                  bool_flag("disable-content-trust", 0, "This is a Docker specific option and is a NOOP"),
                  placeholder(string_flag("os", 0, "Use OS instead of the running OS for choosing images"), "OS"),
                  string_flag("platform", 0, "Specify the platform for selecting the image.  (Conflicts with arch and os)"),
                  bool_flag("quiet", 'q', "Suppress output information when pulling images"),
                  tls,
                  string_flag("variant", 0, "Use VARIANT instead of the running architecture variant for choosing images"),
                  help_flag()};
    pull.min_args = 1;
    pull.handler = pull_cmd;
    t.add(pull);
    pull.path = "image pull";
    t.add(pull);
}

}  // namespace burrow::commands
