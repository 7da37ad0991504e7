#include "server/db_placeholders.h"

#include <algorithm>

namespace thumbgen::server::sql {

PostgresSql to_postgres_placeholders(std::string_view sql) {
  PostgresSql out;
  out.text.reserve(sql.size() + 8);
  std::size_t i = 0;
  auto copy_until = [&](std::string_view end) {  // copies through the next `end` (or to the end of the text)
    std::size_t found = sql.find(end, i);
    std::size_t stop = found == std::string_view::npos ? sql.size() : found + end.size();
    out.text.append(sql.substr(i, stop - i));
    i = stop;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // a doubled quote inside is two adjacent quoted runs: the same result
      out.text += c;
      ++i;
      copy_until(std::string_view(&c, 1));
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      copy_until("\n");
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      out.text += "/*";
      i += 2;
      copy_until("*/");
    } else if (c == '?') {
      std::size_t digits = i + 1;
      while (digits < sql.size() && sql[digits] >= '0' && sql[digits] <= '9') ++digits;
      int number = 0;
      if (digits > i + 1) {
        for (std::size_t d = i + 1; d < digits; ++d) number = number * 10 + (sql[d] - '0');
      } else {
        number = out.parameters + 1;
      }
      out.parameters = std::max(out.parameters, number);
      if (out.referenced.size() < static_cast<std::size_t>(number))
        out.referenced.resize(static_cast<std::size_t>(number));
      out.referenced[static_cast<std::size_t>(number - 1)] = true;
      out.text += '$';
      out.text += std::to_string(number);
      i = digits;
    } else {
      out.text += c;
      ++i;
    }
  }
  return out;
}

}  // namespace thumbgen::server::sql
