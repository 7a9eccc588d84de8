// The store's hashing (chain ids, blob verification): the writes a pull makes, kept apart so
// that a binary which only reads the store does not load libcrypto.
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/sha256.hpp"
#include "storage/store.hpp"

namespace burrow::storage {

std::string chain_id(const std::string& parent_chain, const std::string& diff_id) {
    auto d = parse_digest(diff_id);
    if (parent_chain.empty()) return d.hex;
    return sha256_hex("sha256:" + parent_chain + " " + d.str());
}

void Store::put_blob(const std::string& digest, const std::string& data) {
    auto d = parse_digest(digest);
    auto actual = sha256_hex(data);
    if (actual != d.hex) throw Error("blob content digest sha256:" + actual + " does not match " + digest);
    auto path = opts_.root + "/blobs/sha256/" + d.hex;
    if (path_exists(path)) return;
    atomic_write_file(path, data, 0644);
}

}  // namespace burrow::storage
