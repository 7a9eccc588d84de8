// The local store: blobs, layers and images under one root, guarded by flock locks.
//
// Layout (root = $XDG_DATA_HOME/burrow unless configured):
//   store.lock                 shared to read indexes, exclusive to change them
//   blobs/sha256/<hex>         manifests and configs, verified before written
//   layers/<chain-hex>/        one extracted layer: diff/ (overlay format) + layer.json
//   locks/layer-<chain-hex>.lock  exclusive while extracting; shared while a pull references it
//   images/<id-hex>.json       one record per image
//   tmp/                       temp dirs (renamed into place when complete); swept by writers
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/idmap.hpp"
#include "storage/helper_runner.hpp"
#include "storage/lock.hpp"

namespace burrow::storage {

struct StoreOptions {
    std::string root;     // graph root
    std::string runroot;  // runtime state
    std::string driver = "overlay";
    std::string mount_program;  // storage.conf [storage.options.overlay] mount_program
    bool ignore_chown_errors = false;
    std::string volume_path;  // named volumes ("" = <root>/volumes; --volumepath)
};

// Defaults, then storage.conf ($CONTAINERS_STORAGE_CONF, ~/.config/containers/storage.conf),
// then the explicit overrides (non-empty fields of `overrides`).
StoreOptions load_store_options(const StoreOptions& overrides);

struct LayerRecord {
    std::string id;                 // chain id hex (the directory name)
    std::string parent;             // parent chain id hex, "" for a base layer
    std::string diff_id;            // "sha256:..." of the uncompressed tar
    std::string compressed_digest;  // "sha256:..." of the blob as pulled
    uint64_t compressed_size = 0;
    uint64_t uncompressed_size = 0;
    int64_t created = 0;            // unix seconds
    // Whiteouts are kept as ".wh.NAME" files (mknod of 0/0 was refused): only fuse-overlayfs can
    // mount it. Set by commit_layer from the extractor's marker file.
    bool whiteout_files = false;
};

struct ImageRecord {
    std::string id;                         // config digest hex
    std::vector<std::string> names;         // fully qualified "registry/repo:tag"
    std::string digest;                     // manifest digest "sha256:..."
    std::vector<std::string> digests;       // every manifest digest seen for it (index + manifest)
    std::vector<std::string> repo_digests;  // "registry/repo@sha256:..."
    std::string manifest_media_type;
    std::vector<std::string> layers;        // chain ids, base first
    std::vector<std::string> names_history; // names it ever had, newest first
    int64_t pulled = 0;                     // unix seconds when stored
    uint64_t size = 0;                      // layers (uncompressed) + config + manifests, as Podman counts
};

// Gives `rec` the names `names` (duplicates dropped, first kept) as containers/storage does: each
// name it has afterwards moves to the front of its history, in order, so the last is the newest.
void set_image_names(ImageRecord& rec, const std::vector<std::string>& names);

// Written by the extractor beside diff/ when whiteouts had to be kept as ".wh." files.
inline constexpr const char* kWhiteoutFilesMarker = "whiteout-files";

// chain id (hex) for a layer with `parent_chain` hex ("" for base) and diff_id "sha256:..."
std::string chain_id(const std::string& parent_chain, const std::string& diff_id);

class Store {
public:
    // `helpers` starts the __extract/__rm helpers in the user namespace; it must outlive the store.
    Store(StoreOptions opts, const HelperRunner& helpers);
    const StoreOptions& options() const { return opts_; }
    const std::string& root() const { return opts_.root; }
    // Where named volumes live: --volumepath, or <root>/volumes.
    std::string volume_path() const { return opts_.volume_path.empty() ? opts_.root + "/volumes" : opts_.volume_path; }

    Lock lock_shared() const;
    Lock lock_exclusive() const;

    // Blobs (small: manifests and configs). put_blob verifies the digest.
    void put_blob(const std::string& digest, const std::string& data);
    std::optional<std::string> get_blob(const std::string& digest) const;

    // Layers.
    std::string layer_dir(const std::string& chain) const;        // layers/<chain>
    std::string layer_diff_dir(const std::string& chain) const;   // layers/<chain>/diff
    std::string layer_lock_path(const std::string& chain) const;
    bool has_layer(const std::string& chain) const;
    std::optional<LayerRecord> layer(const std::string& chain) const;
    std::vector<LayerRecord> layers() const;
    // A fresh temp dir under tmp/ for extracting `chain` (created 0700).
    std::string make_temp_layer_dir(const std::string& chain);
    // Moves a complete temp dir into place, writing layer.json first. Caller holds the layer lock.
    void commit_layer(const std::string& temp_dir, const LayerRecord& rec);
    // Removes a tree that may be owned by subordinate ids (runs in the user namespace).
    void remove_owned_tree(const std::string& path) const;
    // Deletes layers no image references and that nobody holds a lock on. Caller holds lock_exclusive().
    // Returns the removed chain ids.
    std::vector<std::string> remove_unused_layers();
    // Removes stale temp dirs left by killed writers. Caller holds lock_exclusive().
    void sweep_tmp();

    // Images. Mutations need lock_exclusive(); reads need lock_shared().
    std::vector<ImageRecord> images() const;
    std::optional<ImageRecord> image(const std::string& id) const;
    void put_image(const ImageRecord& rec);
    void remove_image_record(const std::string& id);
    // Resolves a user's image reference: full id, unique id prefix (>= 3 chars), a name, a name
    // with default tag ":latest", a short name matching "<any registry>/<name>", or "@digest".
    // "NAME[:TAG]@DIGEST" drops the tag and, as Podman 4.3 does, finds an image that recorded that
    // manifest digest: one with a name of that repository first, else any.
    std::optional<ImageRecord> find_image(const std::string& ref) const;

    const IdMapping& idmap() const;
    const HelperRunner& helpers() const { return *helpers_; }

private:
    StoreOptions opts_;
    const HelperRunner* helpers_;
    mutable std::optional<IdMapping> idmap_;
};

}  // namespace burrow::storage
