// The few elements thumbgen reads from S3's XML answers (ListObjectsV2 pages, <Error> bodies). S3's responses are
// flat, machine-written documents: a scan for <Name>text</Name> with the five XML entities and numeric references
// decoded is enough, and keeps an XML library out of the server.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::server {

// The inner markup of every <name>...</name> element in document order (no attributes, no nesting of the same
// name), as written: views into `document`.
std::vector<std::string_view> xml_elements(std::string_view document, std::string_view name);
// The text of the first such element with its entities decoded (as written when it holds an unknown entity).
std::optional<std::string> xml_element_text(std::string_view document, std::string_view name);

}  // namespace thumbgen::server
