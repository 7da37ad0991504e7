// One HTTP request to the local server sent from a chosen loopback source address (127.0.0.2, 127.0.0.3, ...), so
// tests can be several clients as the server sees them: Linux routes all of 127.0.0.0/8 to the loopback device.
#pragma once

#include <map>
#include <string>

#include "support/http_client.h"

namespace thumbgen::test {

HttpResult http_request_from(const std::string& source_address, unsigned short port, const std::string& method,
                             const std::string& target, const std::string& body = "",
                             const std::map<std::string, std::string>& headers = {});

}  // namespace thumbgen::test
