#include "storage/decompress.hpp"

#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/error.hpp"

#ifdef BURROW_HAVE_ISAL
#include <isa-l.h>
#else
#include <zlib.h>
#endif

namespace burrow::storage {
namespace {

constexpr size_t kInBuf = 1 << 20;

// Buffered reads from the pipe. `avail()` bytes start at `data()`.
class FdInput {
public:
    explicit FdInput(int fd) : fd_(fd), buf_(kInBuf) {}
    const uint8_t* data() const { return buf_.data() + pos_; }
    size_t avail() const { return len_ - pos_; }
    void consume(size_t n) { pos_ += n; }
    bool eof() const { return eof_; }
    // Reads until at least `want` bytes are buffered or the stream ends. Returns avail() >= want.
    bool top_up(size_t want) {
        if (avail() >= want) return true;
        if (pos_ > 0) {
            std::memmove(buf_.data(), buf_.data() + pos_, avail());
            len_ -= pos_;
            pos_ = 0;
        }
        while (!eof_ && len_ < want) {
            ssize_t n = ::read(fd_, buf_.data() + len_, buf_.size() - len_);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw_errno("read layer stream");
            }
            if (n == 0) eof_ = true;
            len_ += static_cast<size_t>(n);
        }
        return avail() >= want;
    }
    // Reads whatever is there (at least one byte unless at the end).
    bool refill() { return top_up(avail() + 1); }
    int fd() const { return fd_; }

private:
    int fd_;
    std::vector<uint8_t> buf_;
    size_t pos_ = 0, len_ = 0;
    bool eof_ = false;
};

bool gzip_magic(const FdInput& in) { return in.avail() >= 2 && in.data()[0] == 0x1f && in.data()[1] == 0x8b; }

class PlainSource : public ByteSource {
public:
    explicit PlainSource(std::unique_ptr<FdInput> in) : in_(std::move(in)) {}
    size_t read(uint8_t* out, size_t cap) override {
        if (in_->avail() > 0) {  // the peeked bytes first
            size_t n = std::min(cap, in_->avail());
            std::memcpy(out, in_->data(), n);
            in_->consume(n);
            return n;
        }
        for (;;) {
            ssize_t n = ::read(in_->fd(), out, cap);
            if (n >= 0) return static_cast<size_t>(n);
            if (errno != EINTR) throw_errno("read layer stream");
        }
    }
    const char* kind() const override { return "tar"; }

private:
    std::unique_ptr<FdInput> in_;
};

#ifdef BURROW_HAVE_ISAL
const char* isal_error(int rc) {
    switch (rc) {
        case ISAL_INVALID_BLOCK: return "invalid deflate block";
        case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
        case ISAL_INVALID_LOOKBACK: return "invalid lookback distance";
        case ISAL_INVALID_WRAPPER: return "invalid gzip header";
        case ISAL_INCORRECT_CHECKSUM: return "checksum mismatch";
        case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method";
        default: return "corrupt data";
    }
}

class GzipSource : public ByteSource {
public:
    explicit GzipSource(std::unique_ptr<FdInput> in) : in_(std::move(in)) { start_member(); }
    size_t read(uint8_t* out, size_t cap) override {
        while (!done_) {
            if (st_.block_state == ISAL_BLOCK_FINISH) {
                // Concatenated members are one stream (pigz, appends); anything else after the end is padding.
                in_->consume(in_->avail() - st_.avail_in);
                in_->top_up(2);
                if (!gzip_magic(*in_)) {
                    done_ = true;
                    break;
                }
                start_member();
            }
            if (st_.avail_in == 0) {
                in_->consume(in_->avail());
                in_->refill();
                st_.next_in = const_cast<uint8_t*>(in_->data());
                st_.avail_in = static_cast<uint32_t>(in_->avail());
            }
            st_.next_out = out;
            st_.avail_out = static_cast<uint32_t>(cap);
            int rc = isal_inflate(&st_);
            if (rc < 0) throw Error(std::string("gzip: ") + isal_error(rc));
            size_t n = cap - st_.avail_out;
            if (n > 0) return n;
            // No output from an empty input: the stream ends inside a member.
            if (st_.block_state != ISAL_BLOCK_FINISH && st_.avail_in == 0 && in_->eof())
                throw Error("gzip: unexpected end of stream");
        }
        return 0;
    }
    const char* kind() const override { return "gzip"; }

private:
    void start_member() {
        isal_inflate_init(&st_);
        st_.crc_flag = ISAL_GZIP;
        st_.next_in = const_cast<uint8_t*>(in_->data());
        st_.avail_in = static_cast<uint32_t>(in_->avail());
    }
    std::unique_ptr<FdInput> in_;
    inflate_state st_{};
    bool done_ = false;
};
#else
class GzipSource : public ByteSource {
public:
    explicit GzipSource(std::unique_ptr<FdInput> in) : in_(std::move(in)) {
        if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw Error("gzip: cannot initialise zlib");
        z_.next_in = const_cast<uint8_t*>(in_->data());
        z_.avail_in = static_cast<uInt>(in_->avail());
    }
    ~GzipSource() override { inflateEnd(&z_); }
    size_t read(uint8_t* out, size_t cap) override {
        while (!done_) {
            if (member_end_) {
                in_->consume(in_->avail() - z_.avail_in);
                in_->top_up(2);
                if (!gzip_magic(*in_)) {
                    done_ = true;
                    break;
                }
                inflateReset(&z_);
                member_end_ = false;
                z_.next_in = const_cast<uint8_t*>(in_->data());
                z_.avail_in = static_cast<uInt>(in_->avail());
            }
            if (z_.avail_in == 0) {
                in_->consume(in_->avail());
                in_->refill();
                z_.next_in = const_cast<uint8_t*>(in_->data());
                z_.avail_in = static_cast<uInt>(in_->avail());
            }
            z_.next_out = out;
            z_.avail_out = static_cast<uInt>(cap);
            int rc = inflate(&z_, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) member_end_ = true;
            else if (rc != Z_OK && rc != Z_BUF_ERROR) throw Error(std::string("gzip: ") + (z_.msg ? z_.msg : "corrupt data"));
            size_t n = cap - z_.avail_out;
            if (n > 0) return n;
            if (!member_end_ && z_.avail_in == 0 && in_->eof()) throw Error("gzip: unexpected end of stream");
        }
        return 0;
    }
    const char* kind() const override { return "gzip"; }

private:
    std::unique_ptr<FdInput> in_;
    z_stream z_{};
    bool member_end_ = false, done_ = false;
};
#endif

class ZstdSource : public ByteSource {
public:
    explicit ZstdSource(std::unique_ptr<FdInput> in) : in_(std::move(in)), ctx_(ZSTD_createDCtx()) {
        if (!ctx_) throw Error("zstd: out of memory");
        // Layers compressed with --long need a bigger window than the default limit.
        ZSTD_DCtx_setParameter(ctx_, ZSTD_d_windowLogMax, 31);
    }
    ~ZstdSource() override { ZSTD_freeDCtx(ctx_); }
    size_t read(uint8_t* out, size_t cap) override {
        for (;;) {
            if (in_->avail() == 0 && !in_->eof()) in_->refill();
            if (in_->avail() == 0 && !frame_open_) return 0;
            ZSTD_inBuffer ib{in_->data(), in_->avail(), 0};
            ZSTD_outBuffer ob{out, cap, 0};
            size_t rc = ZSTD_decompressStream(ctx_, &ob, &ib);
            if (ZSTD_isError(rc)) throw Error(std::string("zstd: ") + ZSTD_getErrorName(rc));
            in_->consume(ib.pos);
            frame_open_ = rc != 0;
            if (ob.pos > 0) return ob.pos;
            if (in_->avail() == 0 && in_->eof()) {
                if (frame_open_) throw Error("zstd: unexpected end of stream");
                return 0;
            }
        }
    }
    const char* kind() const override { return "zstd"; }

private:
    std::unique_ptr<FdInput> in_;
    ZSTD_DCtx* ctx_;
    bool frame_open_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> open_decompressed(int fd) {
    auto in = std::make_unique<FdInput>(fd);
    in->top_up(4);
    const uint8_t* d = in->data();
    if (gzip_magic(*in)) return std::make_unique<GzipSource>(std::move(in));
    if (in->avail() >= 4 && d[0] == 0x28 && d[1] == 0xb5 && d[2] == 0x2f && d[3] == 0xfd)
        return std::make_unique<ZstdSource>(std::move(in));
    return std::make_unique<PlainSource>(std::move(in));
}

}  // namespace burrow::storage
