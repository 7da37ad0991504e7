// A Beast body that streams one byte range of an open file in 64 KiB reads: Range responses and whole files alike
// never sit in memory (Boost 1.81's file_body always starts at the file's current position and sends to EOF).
#pragma once

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/file.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <utility>

namespace thumbgen::server {

struct FileRangeBody {
  struct value_type {
    boost::beast::file file;
    std::uint64_t offset = 0, length = 0;
  };

  static std::uint64_t size(const value_type& body) { return body.length; }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body), remain_(body.length) {}

    void init(boost::beast::error_code& ec) { body_.file.seek(body_.offset, ec); }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      std::size_t amount = static_cast<std::size_t>(std::min<std::uint64_t>(remain_, sizeof buffer_));
      ec = {};
      if (amount == 0) return boost::none;
      std::size_t read = body_.file.read(buffer_, amount, ec);
      if (ec) return boost::none;
      if (read == 0) {  // the file shrank under us
        ec = boost::beast::http::error::short_read;
        return boost::none;
      }
      remain_ -= read;
      return std::make_pair(const_buffers_type(buffer_, read), remain_ > 0);
    }

   private:
    value_type& body_;
    std::uint64_t remain_;
    char buffer_[64 * 1024];
  };
};

}  // namespace thumbgen::server
