#include "server/s3_xml.h"

#include <charconv>

namespace thumbgen::server {

namespace {

void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

std::optional<std::string> decode_entity(std::string_view entity) {
  if (entity == "amp") return "&";
  if (entity == "lt") return "<";
  if (entity == "gt") return ">";
  if (entity == "quot") return "\"";
  if (entity == "apos") return "'";
  if (entity.size() > 1 && entity[0] == '#') {
    const bool hexadecimal = entity[1] == 'x' || entity[1] == 'X';
    std::string_view digits = entity.substr(hexadecimal ? 2 : 1);
    unsigned code = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), code, hexadecimal ? 16 : 10);
    if (error != std::errc() || end != digits.data() + digits.size() || code == 0 || code > 0x10FFFF)
      return std::nullopt;
    std::string out;
    append_utf8(out, code);
    return out;
  }
  return std::nullopt;
}

std::string decode_text(std::string_view text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t amp = text.find('&', at);
    if (amp == std::string_view::npos) break;
    const std::size_t semicolon = text.find(';', amp);
    if (semicolon == std::string_view::npos) break;
    auto decoded = decode_entity(text.substr(amp + 1, semicolon - amp - 1));
    if (!decoded) return std::string(text);
    out.append(text.substr(at, amp - at)).append(*decoded);
    at = semicolon + 1;
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace

std::vector<std::string_view> xml_elements(std::string_view document, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">", close = "</" + std::string(name) + ">";
  std::vector<std::string_view> texts;
  std::size_t at = 0;
  while ((at = document.find(open, at)) != std::string_view::npos) {
    const std::size_t start = at + open.size();
    const std::size_t end = document.find(close, start);
    if (end == std::string_view::npos) break;
    texts.push_back(document.substr(start, end - start));
    at = end + close.size();
  }
  return texts;
}

std::optional<std::string> xml_element_text(std::string_view document, std::string_view name) {
  const auto elements = xml_elements(document, name);
  if (elements.empty()) return std::nullopt;
  return decode_text(elements.front());
}

}  // namespace thumbgen::server
