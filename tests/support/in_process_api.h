// The server's Api (its router, each route's rules and handlers) in this process, over a scratch catalogue and
// storage: for tests that compare a list of theirs with the routes the server really has.
#pragma once

#include "server/api_handlers.h"
#include "server/catalogue.h"
#include "server/storage_local.h"
#include "support/scratch_dir.h"

namespace thumbgen::test {

class InProcessApi {
 public:
  // `settings` as given, with a public URL and the scratch data folder.
  explicit InProcessApi(server::ApiSettings settings = {});
  server::Api& api() { return api_; }

 private:
  ScratchDir dir_;
  server::Catalogue catalogue_;
  server::LocalStorage storage_;
  server::Api api_;
};

}  // namespace thumbgen::test
