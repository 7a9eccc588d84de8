// A layer blob read from a pipe, decompressed on the fly: gzip (ISA-L, else zlib), zstd or plain,
// chosen by the stream's magic bytes rather than the media type (registries get those wrong).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace burrow::storage {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Fills up to `cap` bytes; 0 only at the end of the stream. Throws Error on corrupt input.
    virtual size_t read(uint8_t* buf, size_t cap) = 0;
    virtual const char* kind() const = 0;
};

// Does not own `fd`.
std::unique_ptr<ByteSource> open_decompressed(int fd);

}  // namespace burrow::storage
