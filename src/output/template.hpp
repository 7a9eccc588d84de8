// A subset of Go's text/template, enough for Podman's --format strings:
//   {{.Field}} {{.A.B}} {{.}}  {{json .X}}  {{index .Labels "k"}}  {{join .Names ","}}
//   {{lower .X}} {{upper .X}} {{title .X}} {{len .X}} {{truncate .X 12}} {{printf "%s-%d" .A .B}}
//   pipes {{.Names | join ","}}, parentheses, {{if}}/{{else}}/{{end}}, {{range}}/{{else}}/{{end}},
//   {{- and -}} whitespace trimming, "..." and `...` strings, integers.
// Data is JSON. An object whose keys all start with an upper-case letter stands for a Go struct:
// a missing field is an error, as Go reports it; any other object is a map (missing key: "<no value>").
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace burrow::output {

struct TemplateNode;

class Template {
public:
    // Throws burrow::Error("template: <name>:<line>: ...") on a syntax error.
    Template(std::string name, const std::string& text);
    ~Template();
    Template(Template&&) noexcept;
    Template& operator=(Template&&) noexcept;

    // `type_name` only names the data in error messages ("images.imageReporter").
    std::string execute(const nlohmann::json& dot, const std::string& type_name = "") const;

private:
    std::string name_;
    std::unique_ptr<TemplateNode> root_;
};

// Go's fmt %v of a value: strings raw, arrays "[a b]", objects "map[k:v]", null "<nil>".
std::string go_print(const nlohmann::json& v);

}  // namespace burrow::output
