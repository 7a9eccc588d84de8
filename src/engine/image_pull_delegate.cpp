// pull_image in `burrow`: `run`/`create` of a missing image runs `burrow-pull pull` for it, so
// that `burrow` itself links no network or archive library (it starts in a fraction of the time).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/fs.hpp"
#include "base/strings.hpp"
#include "src/cli/delegate.hpp"
#include "src/engine/image_pull.hpp"

extern char** environ;

namespace burrow::engine {

namespace {


}  // namespace

// `burrow pull` itself runs in burrow-pull (src/cli/delegate.hpp): never reached here.
std::vector<std::string> all_tag_references(const PullOptions&) {
    throw Error("pull --all-tags: run by burrow-pull");
}

std::string pull_image(storage::Store& store, const PullOptions& o) {
    std::vector<std::string> args{"burrow", "--root", store.root(), "--runroot", store.options().runroot, "pull"};
    if (o.quiet) args.push_back("--quiet");
    if (!o.os.empty()) args.push_back("--os=" + o.os);
    if (!o.arch.empty()) args.push_back("--arch=" + o.arch);
    if (!o.variant.empty()) args.push_back("--variant=" + o.variant);
    if (o.tls_verify) args.push_back(std::string("--tls-verify=") + (*o.tls_verify ? "true" : "false"));
    if (!o.authfile.empty()) args.push_back("--authfile=" + o.authfile);
    if (!o.cert_dir.empty()) args.push_back("--cert-dir=" + o.cert_dir);
    if (!o.creds.empty()) args.push_back("--creds=" + o.creds);
    args.push_back(o.reference);
    std::vector<char*> av;
    for (auto& a : args) av.push_back(a.data());
    av.push_back(nullptr);

    std::string bin = cli::pull_binary();
    Pipe out = make_pipe(), err = make_pipe();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out.write_end.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, err.write_end.get(), 2);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, bin.c_str(), &fa, nullptr, av.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw SysError("run `" + bin + "`", rc);
    out.write_end.reset();
    err.write_end.reset();
    // Progress lines pass through as they come; the final "Error: " line becomes our error.
    std::string err_text, id_text;
    std::string pending;
    std::string last_error;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(err.read_end.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buf, static_cast<size_t>(n));
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
            std::string line = pending.substr(0, nl + 1);
            pending.erase(0, nl + 1);
            if (line.rfind("Error: ", 0) == 0) {
                last_error = line.substr(7);
                while (!last_error.empty() && last_error.back() == '\n') last_error.pop_back();
            } else {
                (void)!::write(2, line.data(), line.size());
            }
        }
    }
    if (!pending.empty()) (void)!::write(2, pending.data(), pending.size());
    id_text = read_to_end(out.read_end.get());
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) throw_errno("wait for burrow-pull");
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : kExitEngine;
    if (code != 0) throw Error(last_error.empty() ? "pulling " + o.reference + " failed" : last_error, code);
    auto lines = split(trim(id_text), '\n');
    if (lines.empty() || trim(lines.back()).empty()) throw Error("pulling " + o.reference + ": no image id reported");
    return std::string(trim(lines.back()));
}

}  // namespace burrow::engine
