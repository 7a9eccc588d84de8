// `image sign`: a simple-signing ("atomic container signature") file per manifest, signed by gpg
// with the key --sign-by names, stored as Podman lays them out: DIR/<repo path>@sha256=<hex>/signature-N.
#include "src/commands/image_sign.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cctype>
#include <cstring>
#include <ctime>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "pull/reference.hpp"
#include "src/commands/common.hpp"
#include "src/commands/register.hpp"

extern char** environ;

namespace burrow::commands {

using cli::Context;

std::string atomic_signature_payload(const std::string& docker_reference, const std::string& manifest_digest,
                                     int64_t timestamp) {
    nlohmann::json j = {
        {"critical",
         {{"identity", {{"docker-reference", docker_reference}}},
          {"image", {{"docker-manifest-digest", manifest_digest}}},
          {"type", "atomic container signature"}}},
        {"optional", {{"creator", std::string("burrow ") + BURROW_VERSION}, {"timestamp", timestamp}}},
    };
    return j.dump();
}

namespace {

// gpg --sign of `payload` (an OpenPGP message with the data inside, as gpgme's normal mode makes).
std::string gpg_sign(const std::string& key, const std::string& payload) {
    Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in.read_end.get(), 0);
    posix_spawn_file_actions_adddup2(&fa, out.write_end.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, err.write_end.get(), 2);
    std::vector<std::string> args = {"gpg", "--batch", "--no-tty", "--yes", "--sign", "--local-user", key, "--output", "-"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, "gpg", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw Error(std::string("signing is not supported: gpg: ") + std::strerror(rc));
    in.read_end.reset();
    out.write_end.reset();
    err.write_end.reset();
    // The payload is a few hundred bytes: it fits the pipe, so writing all of it first cannot block.
    if (::write(in.write_end.get(), payload.data(), payload.size()) != static_cast<ssize_t>(payload.size()))
        throw_errno("write to gpg");
    in.write_end.reset();
    std::string signed_data = read_to_end(out.read_end.get());
    std::string diag = read_to_end(err.read_end.get());
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || signed_data.empty()) {
        std::string last;
        for (const auto& l : split(diag, '\n'))
            if (!trim(l).empty()) last = std::string(trim(l));
        throw Error("signing: " + (last.empty() ? std::string("gpg failed") : last));
    }
    return signed_data;
}

SignSource parse_source(const std::string& arg) {
    auto colon = arg.find(':');
    if (colon == std::string::npos || colon == 0)
        throw Error("parsing image name: Invalid image name \"" + arg + "\", expected colon-separated transport:reference");
    std::string transport = arg.substr(0, colon);
    if (transport != "docker")
        throw Error("parsing image name: Invalid image name \"" + arg + "\", unknown transport \"" + transport + "\"");
    if (arg.compare(colon, 3, "://") != 0)
        throw Error("parsing image name: Invalid image name \"" + arg + "\": docker: image reference " +
                    arg.substr(colon + 1) + " does not start with //");
    pull::ParsedReference p;
    try {
        p = pull::parse_reference(arg.substr(colon + 3));
    } catch (const Error& e) {
        throw Error(std::string("parsing image name: ") + e.what());
    }
    SignSource s;
    s.registry = p.ref.registry;
    s.repository = p.ref.repository;
    s.tag_or_digest = p.ref.manifest_ref();
    s.full_name = p.ref.str();
    return s;
}

// The signature store for one manifest; the first free signature-N in it.
void put_signature(const std::string& store_dir, const std::string& digest, const std::string& data) {
    std::string hex = digest.substr(digest.find(':') + 1);
    std::string dir = store_dir + "@sha256=" + hex;
    mkdir_p(dir, 0751);
    int n = 1;
    while (path_exists(dir + "/signature-" + std::to_string(n))) ++n;
    // The file is new: O_EXCL, so a concurrent signer never overwrites this one.
    UniqueFd fd = open_or_throw(dir + "/signature-" + std::to_string(n), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (::write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size())) throw_errno("write signature");
}

void sign_one(Context& ctx, const std::string& arg, const std::string& base_dir) {
    SignSource src = parse_source(arg);
    // containers/image's default lookaside store for a user: ~/.local/share/containers/sigstore.
    std::string root = base_dir.empty() ? home_dir() + "/.local/share/containers/sigstore" : base_dir;
    std::string store_dir = root + "/" + src.repository;
    std::string reference = src.registry + "/" + src.repository +
                            (src.tag_or_digest.rfind("sha256:", 0) == 0 ? "@" : ":") + src.tag_or_digest;
    SignManifest top = fetch_sign_manifest(ctx, src);
    std::string key = ctx.flags.get_string("sign-by");
    auto sign = [&](const SignManifest& m) {
        try {
            put_signature(store_dir, m.digest, gpg_sign(key, atomic_signature_payload(reference, m.digest, std::time(nullptr))));
        } catch (const Error& e) {
            throw e.wrap("storing signature for " + reference + ", " + m.digest);
        }
    };
    auto doc = nlohmann::json::parse(top.body, nullptr, false);
    std::string media = doc.is_object() ? doc.value("mediaType", "") : "";
    bool is_list = doc.is_object() && doc.contains("manifests");
    if (!ctx.flags.get_bool("all")) return sign(top);
    if (!is_list) throw Error(arg + " is not a multi-architecture image (manifest type " + media + ")");
    for (const auto& m : doc["manifests"]) {
        SignSource inst = src;
        inst.tag_or_digest = m.value("digest", "");
        sign(fetch_sign_manifest(ctx, inst));
    }
}

int sign_cmd(Context& ctx) {
    if (ctx.flags.get_string("sign-by").empty()) throw Error("please provide an identity");
    std::string dir = ctx.flags.get_string("directory");
    struct stat st {};
    if (!dir.empty() && ::stat(dir.c_str(), &st) != 0) {
        // Go's words for an errno are strerror's, lower-cased ("no such file or directory")
        std::string why = std::strerror(errno);
        if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
        throw Error("stat " + dir + ": " + why);
    }
    for (const auto& a : ctx.args) sign_one(ctx, a, dir);
    return 0;
}

}  // namespace

void register_image_sign(cli::CommandTable& t) {
    cli::Command sign;
    sign.path = "image sign";
    sign.use = "[options] IMAGE [IMAGE...]";
    sign.short_help = "Sign an image";
    sign.long_help = "Create a signature file that can be used later to verify the image.";
    sign.examples = {"burrow image sign --sign-by mykey imageID",
                     "burrow image sign --sign-by mykey --directory ./mykeydir imageID"};
    sign.flags = {bool_flag("all", 'a', "Sign all the manifests of the multi-architecture image"),
                  string_flag("authfile", 0, "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override"),
                  placeholder(string_flag("cert-dir", 0, "Pathname of a directory containing TLS certificates and keys"), "Pathname"),
                  string_flag("directory", 'd', "Define an alternate directory to store signatures"),
                  string_flag("sign-by", 0, "Name of the signing key"), help_flag()};
    sign.min_args = 1;
    sign.handler = sign_cmd;
    t.add(sign);
}

}  // namespace burrow::commands
