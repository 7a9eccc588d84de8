// `images --filter`: libimage's keys, negation, alternatives and error texts; image rows.
#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "src/commands/image_filter.hpp"

using namespace burrow;
using namespace burrow::commands;
using json = nlohmann::json;

namespace {

ImageView view(const std::string& id, std::vector<std::string> names, int64_t created, json labels = json::object()) {
    ImageView v;
    v.rec.id = id;
    v.rec.names = std::move(names);
    v.rec.layers = {id + "-l"};
    v.created = created;
    v.config = {{"config", {{"Labels", labels}}}};
    return v;
}

ImageFilterEnv env_with(std::map<std::string, int64_t> known) {
    ImageFilterEnv e;
    e.now_ns = 2000000000LL * 1000000000LL;
    e.created_of = [known](const std::string& r) -> std::optional<int64_t> {
        auto it = known.find(r);
        if (it == known.end()) return std::nullopt;
        return it->second;
    };
    return e;
}

bool keeps(const std::vector<std::string>& f, const ImageView& v, ImageFacts facts = {}) {
    return ImageFilter::compile(f, env_with({{"old", 100}, {"new", 300}})).matches(v, facts);
}

std::string error_of(const std::vector<std::string>& f) {
    try {
        ImageFilter::compile(f, env_with({}));
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("image filter: reference forms as libimage tries them") {
    std::vector<std::string> n = {"localhost:5000/libpod/testimage:20220615"};
    for (const char* p : {"localhost:5000/libpod/testimage:20220615", "libpod/testimage", "testimage:20220615",
                          "localhost:5000/libpod/testimage", "libpod/testimage:20220615", "testimage", "test*",
                          "*/testimage:*"})
        CHECK(image_reference_matches(n, p));
    for (const char* p : {"testimage:latest", "other", "*testimage:2022"}) CHECK_FALSE(image_reference_matches(n, p));
    CHECK(image_reference_matches({"quay.io/a/b@sha256:abc"}, "b"));
}

TEST_CASE("image filter: since/after/before/until compare created times") {
    auto mid = view("m", {"r/x:1"}, 200);
    CHECK(keeps({"after=old"}, mid));
    CHECK(keeps({"since=old"}, mid));
    CHECK_FALSE(keeps({"after=new"}, mid));
    CHECK(keeps({"before=new"}, mid));
    CHECK_FALSE(keeps({"before=old"}, mid));
    CHECK(keeps({"until=1h"}, mid));
    CHECK(error_of({"before=nosuch"}) ==
          "could not find local image for filter filter \"before\"=\"nosuch\": nosuch: image not known");
}

TEST_CASE("image filter: same key is any-of, different keys all-of, != negates") {
    auto a = view("aaa", {"r/a:1"}, 1, {{"k", "v"}});
    CHECK(keeps({"reference=r/a", "reference=r/b"}, a));
    CHECK_FALSE(keeps({"reference=r/a", "label=k=w"}, a));
    CHECK(keeps({"label=k"}, a));
    CHECK(keeps({"label=k="}, a));
    CHECK(keeps({"label=k=v"}, a));
    CHECK(keeps({"label!=k=w"}, a));
    CHECK_FALSE(keeps({"reference!=r/a"}, a));
    CHECK(keeps({"id=aaa"}, a));
    CHECK_FALSE(keeps({"id=aa"}, a));  // libimage compares whole ids
}

TEST_CASE("image filter: dangling and intermediate follow names and children") {
    auto none = view("n", {}, 1);
    CHECK(keeps({"dangling=true"}, none));
    CHECK_FALSE(keeps({"dangling=true"}, none, ImageFacts{true}));
    CHECK(keeps({"intermediate=true"}, none, ImageFacts{true}));
    CHECK(keeps({"intermediate=false"}, view("t", {"r/t:1"}, 1), ImageFacts{true}));
    CHECK(keeps({"containers=false"}, none));
    storage::ImageRecord p, c;
    p.layers = {"l1"};
    c.layers = {"l1", "l2"};
    CHECK(image_is_child(p, c));
    CHECK_FALSE(image_is_child(c, p));
}

TEST_CASE("image filter: Podman's error texts") {
    CHECK(error_of({"bogus"}) == "invalid image filter \"bogus\": must be in the format \"filter=value or filter!=value\"");
    CHECK(error_of({"color=red"}) == "unsupported image filter \"color\"");
    CHECK(error_of({"dangling=maybe"}) ==
          "non-boolean value \"dangling\" for maybe filter: strconv.ParseBool: parsing \"maybe\": invalid syntax");
    CHECK(error_of({"dangling=true", "dangling=false"}) ==
          "specifying \"dangling\" filter more than once with different values is not supported");
    CHECK(error_of({"containers=some"}) == "unsupported value \"some\" for containers filter");
}

TEST_CASE("image rows: tagged names, else one digest-only row, else <none>") {
    RowOptions o{false, 1000};
    auto rows = image_rows(view("0123456789abcdef", {"r/x@sha256:ab", "r/x:1"}, 1), o);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0]["Tag"] == "1");
    rows = image_rows(view("0123456789abcdef", {"r/x@sha256:ab"}, 1), o);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0]["Repository"] == "r/x");
    CHECK(rows[0]["Tag"] == "<none>");
    rows = image_rows(view("0123456789abcdef", {}, 1), o);
    CHECK(rows[0]["Repository"] == "<none>");
}
