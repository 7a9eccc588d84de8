// Layer extraction: compressed tar stream -> overlay-format directory, in the user namespace.
//
// The parent (burrow pull) creates one pipe per layer, spawns one `burrow __extract` helper in
// the user namespace (Store::helpers()) and streams each blob into its pipe. The helper runs a
// thread per layer: detect compression by magic (gzip, zstd, none), decompress, hash the tar
// (diff id), and write the entries under the layer's temp dir. Nothing can land outside it.
// It reports one JSON line per layer on its status fd.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store.hpp"

namespace burrow::storage {

struct ExtractJob {
    std::string dest_dir;   // empty temp dir (Store::make_temp_layer_dir) that receives diff/
    std::string diff_id;    // expected "sha256:..." of the uncompressed tar
    int in_fd = -1;         // read end of the pipe the blob arrives on
};

struct ExtractOutcome {
    bool ok = false;
    std::string error;              // one line, when !ok
    std::string diff_id;            // computed
    uint64_t uncompressed_size = 0;
};

// Spawns the helper, returns when every job has finished (in_fds are consumed, not closed by the
// caller's side — the caller closes its copies after this starts). `on_started` runs after the
// helper is running so the caller can begin streaming (it is the caller's download loop).
class ExtractSession {
public:
    ExtractSession(const Store& store, std::vector<ExtractJob> jobs);
    ~ExtractSession();
    // Waits for the helper and returns one outcome per job (in order).
    std::vector<ExtractOutcome> wait();

private:
    struct Impl;
    Impl* impl_;
};

// Entry point of the hidden `__extract` subcommand (the helper side). Returns the exit code.
int extract_helper_main(int argc, char** argv);
// Entry point of the hidden `__rm` subcommand: removes each path tree. Returns the exit code.
int remove_helper_main(int argc, char** argv);
// Entry point of the hidden `__chown UID GID PATH...` subcommand (-v …:U): chowns each tree.
int chown_helper_main(int argc, char** argv);

// Pure-ish core, also used by unit tests without a user namespace: reads a (possibly compressed)
// layer from `in_fd` and extracts it into `dest_dir`/diff. Throws Error on a hostile entry that
// cannot be neutralised, a decompression error or an I/O error.
struct ExtractStats {
    std::string diff_id;
    uint64_t uncompressed_size = 0;
};
ExtractStats extract_layer_stream(int in_fd, const std::string& dest_dir, bool ignore_chown_errors);

// A tar entry name made relative and clean: leading "/" and "./", empty and "." components
// dropped ("" is the layer root). Throws Error naming the entry when a component is "..".
std::string clean_layer_path(std::string_view name);

}  // namespace burrow::storage
