#include "support/served_model.h"

#include <gtest/gtest.h>

#include <fstream>

#include "server/catalogue.h"

namespace thumbgen::test {

ServedModel import_served_model(ServerProcess& server) {
  std::filesystem::path models = server.data().parent_path() / "models";
  std::filesystem::create_directories(models);
  ServedModel model{models / "tri.obj", {}};
  std::ofstream(model.file) << "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
  EXPECT_EQ(server.import({models.string()}), 0);
  server::Catalogue catalogue(server.data() / "catalogue.sqlite3", 1);
  std::string url = catalogue.with_connection([](server::sql::Connection& db) {
    auto query = db.prepare("SELECT url FROM assets LIMIT 1");
    return query.step() ? query.text(0) : std::string();
  });
  model.target = "/files/" + url + "/tri.obj";
  return model;
}

}  // namespace thumbgen::test
