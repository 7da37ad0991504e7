// The desktop thumbnailer as file managers use it: `thumbgen thumbnail` run directly; then what `make install` puts
// in a scratch DESTDIR — the .thumbnailer's Exec line expanded the way gnome-desktop expands it (%u %i %o %s %%) and
// run, plainly and inside a bwrap sandbox like GNOME's — and the installed MIME XML compiled by update-mime-database,
// with GIO (what GNOME Files asks) naming the type of a file of every format thumbgen reads.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#if THUMBGEN_TEST_SECCOMP
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/thumbnail_input.h"
#include "platform/texture_decoder.h"
#include "render/quality_gate.h"
#include "scene/model_formats.h"
#include "support/gltf_writer.h"
#include "support/process.h"
#include "support/scratch_dir.h"
#include "util/percent_encoding.h"

namespace thumbgen {
namespace {
namespace fs = std::filesystem;
using test::run_process;
using test::ScratchDir;

const glm::vec4 kTransparent{0.0f, 0.0f, 0.0f, 0.0f};

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(file.flush()) << path;
}

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

// A coloured cube as GLB: what the thumbnails below show.
void write_cube_glb(const fs::path& path) {
  test::SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  asset.meshes.back().base_color = {0.8f, 0.3f, 0.1f, 1.0f};
  const std::vector<std::uint8_t> glb = test::write_glb(asset);
  write_file(path, std::string(glb.begin(), glb.end()));
}

// Checks `png` is a SIZE×SIZE PNG showing something on a transparent background: content, but not everywhere.
void expect_thumbnail(const fs::path& png, int size) {
  ASSERT_TRUE(fs::exists(png)) << png;
  const std::string bytes = read_file(png);
  ASSERT_EQ(bytes.substr(0, 8), "\x89PNG\r\n\x1a\n") << png << " is not a PNG";
  const scene::Image image =
      platform::TextureDecoder().decode({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, 0);
  EXPECT_EQ(std::max(image.width, image.height), size) << png;
  EXPECT_EQ(image.width, image.height) << png << ": thumbnails are square";
  const render::ContentBox box = render::content_box(image, kTransparent);
  EXPECT_FALSE(box.empty) << png << " is blank";
  EXPECT_GT(box.coverage, 0.05f) << png;
  EXPECT_LT(box.coverage, 0.95f) << png << ": no transparent background around the model";
}

// The files in `folder`, by name.
std::set<std::string> names_in(const fs::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.insert(entry.path().filename().string());
  return names;
}

// ---- INPUT: a path or a file:// URI ----

TEST(ThumbnailInput, PathsAreTakenAsTheyAre) {
  EXPECT_EQ(cli::local_path_from_argument("/models/a b.glb"), "/models/a b.glb");
  EXPECT_EQ(cli::local_path_from_argument("models/a.glb"), "models/a.glb");
  EXPECT_EQ(cli::local_path_from_argument("a:b.glb"), "a:b.glb");  // a colon in a name is not a scheme
  EXPECT_EQ(cli::local_path_from_argument("/x/file:%20.glb"), "/x/file:%20.glb");
  EXPECT_EQ(cli::local_path_from_argument("/x/y://z.glb"), "/x/y://z.glb");  // "://" after a '/' is no scheme
  EXPECT_EQ(cli::local_path_from_argument("file:a.glb"), "file:a.glb");      // nor one without "//"
}

TEST(ThumbnailInput, FileUrisAreDecodedToTheirPath) {
  EXPECT_EQ(cli::local_path_from_argument("file:///models/a%20cube%20%231.glb"), "/models/a cube #1.glb");
  EXPECT_EQ(cli::local_path_from_argument("file://localhost/models/a.glb"), "/models/a.glb");
  EXPECT_EQ(cli::local_path_from_argument("FILE:///tmp/%C3%A9t%C3%A9.stl"), "/tmp/\xc3\xa9t\xc3\xa9.stl");
  EXPECT_EQ(cli::local_path_from_argument("file://LocalHost/models/a.glb"), "/models/a.glb");
  EXPECT_EQ(cli::local_path_from_argument("file:///models/a+b%2Bc.glb"), "/models/a+b+c.glb");  // '+' is no space
  EXPECT_EQ(cli::local_path_from_argument("file:///models/a.glb?x=1#part"), "/models/a.glb");
}

// Why `argument` is refused; "accepted" when it is not.
std::string refusal_of(const std::string& argument) {
  try {
    cli::local_path_from_argument(argument);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "accepted";
}

TEST(ThumbnailInput, OtherUrisAreRefusedWithAReason) {
  for (std::string uri : {"http://example.com/a.glb", "sftp://host/a.glb", "file://otherhost/a.glb"}) {
    EXPECT_NE(refusal_of(uri).find("local files only"), std::string::npos) << refusal_of(uri);
    EXPECT_NE(refusal_of(uri).find(uri), std::string::npos) << refusal_of(uri);
  }
  // Another host however it is written: a port or user info makes it one too.
  for (std::string uri : {"file://localhost:80/a.glb", "file://user@localhost/a.glb", "file://127.0.0.1/a.glb"}) {
    EXPECT_NE(refusal_of(uri).find("names another host"), std::string::npos) << refusal_of(uri);
  }
  const std::vector<std::pair<std::string, std::string>> malformed = {
      {"file:///a%2", "'file:///a%2' is not a valid URI"},
      {"file:///a b.glb", "is not a valid URI"},
      {"file:///a%00b", "NUL"},
      {"file://localhost", "has no path"},
      {"", "INPUT is empty"},
  };
  for (const auto& [argument, reason] : malformed) {
    EXPECT_NE(refusal_of(argument).find(reason), std::string::npos) << refusal_of(argument);
  }
}

// ---- `thumbgen thumbnail` run directly ----

TEST(ThumbnailCommand, WritesASquarePngOfTheAskedSizeWhateverOutputIsCalled) {
  ScratchDir dir("thumbgen-thumbnail");
  write_cube_glb(dir / "cube.glb");
  const fs::path output = dir / "thumbnail.tmp";  // file managers pick names without .png
  auto result = run_process({THUMBGEN_BINARY, "thumbnail", "-s", "96", (dir / "cube.glb").string(), output.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_thumbnail(output, 96);
  EXPECT_EQ(names_in(dir.path()), (std::set<std::string>{"cube.glb", "thumbnail.tmp"}));
}

TEST(ThumbnailCommand, AModelThatCannotBeThumbnailedLeavesNoOutputAndNamesTheFile) {
  ScratchDir dir("thumbgen-thumbnail");
  write_file(dir / "broken.glb", std::string("glTF\x02\0\0\0", 8) + std::string(64, '\x7f'));
  auto result = run_process(
      {THUMBGEN_BINARY, "thumbnail", "-s", "64", (dir / "broken.glb").string(), (dir / "out.png").string()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find((dir / "broken.glb").string()), std::string::npos) << result.err;
  EXPECT_EQ(names_in(dir.path()), std::set<std::string>{"broken.glb"}) << "no OUTPUT, no temporary file left";
}

TEST(ThumbnailCommand, UsageErrorsSayWhatIsWrong) {
  ScratchDir dir("thumbgen-thumbnail");
  write_cube_glb(dir / "cube.glb");
  const std::string cube = (dir / "cube.glb").string(), out = (dir / "out.png").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"-s", "0", cube, out}, "-s: expected a size"},
      {{"-s", "64", (dir / "missing.glb").string(), out}, "missing.glb: no such file"},
      {{"-s", "64", dir.path().string(), out}, "not a file"},
      {{"-s", "64", "https://example.com/cube.glb", out}, "local files only"},
      {{"-s", "64", cube, (dir / "no-such-folder/out.png").string()}, "cannot write beside OUTPUT"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> argv = {THUMBGEN_BINARY, "thumbnail"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = run_process(argv);
    EXPECT_EQ(result.exit_code, 2) << message << ": " << result.err;
    EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
  }
  EXPECT_EQ(names_in(dir.path()), std::set<std::string>{"cube.glb"});
}

// ---- What `make install` installs, used as a file manager uses it ----

// `cmake --install` (what `make install` runs) of this build into `destdir` with PREFIX /usr/local.
void install_into(const fs::path& destdir) {
  auto result = run_process({"/usr/bin/env", "DESTDIR=" + destdir.string(), THUMBGEN_CMAKE_COMMAND, "--install",
                             THUMBGEN_BUILD_DIR, "--prefix", "/usr/local"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
}

// The [Thumbnailer Entry] keys of a .thumbnailer file.
std::map<std::string, std::string> read_thumbnailer(const fs::path& path) {
  std::map<std::string, std::string> keys;
  std::istringstream lines(read_file(path));
  std::string line, group;
  while (std::getline(lines, line)) {
    if (line.starts_with('[')) group = line;
    const auto equals = line.find('=');
    if (group == "[Thumbnailer Entry]" && equals != std::string::npos)
      keys[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return keys;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::istringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

// gnome-desktop's expansion of one Exec element: %u the input's file:// URI, %i its path, %o the output path, %s
// the size, %% a '%'.
std::string expand(const std::string& element, const fs::path& input, const fs::path& output, int size) {
  std::string out;
  for (std::size_t i = 0; i < element.size(); ++i) {
    if (element[i] != '%' || i + 1 == element.size()) {
      out += element[i];
      continue;
    }
    const char code = element[++i];
    if (code == 'u') out += "file://" + util::percent_encode(input.string(), /*keep_slash=*/true);
    if (code == 'i') out += input.string();
    if (code == 'o') out += output.string();
    if (code == 's') out += std::to_string(size);
    if (code == '%') out += '%';
  }
  return out;
}

// The Exec line as argv, expanded. It has no quoting (checked), so splitting at spaces is what g_shell_parse_argv
// does with it.
std::vector<std::string> exec_argv(const std::string& exec, const fs::path& input, const fs::path& output, int size) {
  EXPECT_EQ(exec.find_first_of("\"'\\"), std::string::npos) << "quoting in Exec: parse it like g_shell_parse_argv";
  std::vector<std::string> argv;
  for (const std::string& element : split(exec, ' ')) argv.push_back(expand(element, input, output, size));
  return argv;
}

class InstalledThumbnailer : public ::testing::Test {
 protected:
  void SetUp() override {
    install_into(destdir_);
    entry_ = read_thumbnailer(prefix_ / "share/thumbnailers/thumbgen.thumbnailer");
  }

  ScratchDir root_{"thumbgen-desktop"};
  fs::path destdir_ = root_ / "destdir";
  fs::path prefix_ = destdir_ / "usr/local";
  std::map<std::string, std::string> entry_;
};

TEST_F(InstalledThumbnailer, InstallsTheCommandTheEntryAndTheMimeTypes) {
  EXPECT_TRUE(fs::is_regular_file(prefix_ / "bin/thumbgen"));
  EXPECT_TRUE(fs::is_regular_file(prefix_ / "share/mime/packages/thumbgen-mime.xml"));
  EXPECT_EQ(entry_["TryExec"], "thumbgen");
  EXPECT_TRUE(fs::is_regular_file(prefix_ / "bin" / entry_["TryExec"]));
  const std::string exec = entry_["Exec"];
  EXPECT_NE(exec.find("%s"), std::string::npos) << exec;
  EXPECT_NE(exec.find("%o"), std::string::npos) << exec;
  EXPECT_TRUE(exec.find("%u") != std::string::npos || exec.find("%i") != std::string::npos) << exec;
  EXPECT_FALSE(split(entry_["MimeType"], ';').empty());
}

TEST_F(InstalledThumbnailer, TheExecLineRunAsAFileManagerRunsItWritesTheThumbnail) {
  const fs::path folder = root_ / "My Models";
  fs::create_directories(folder);
  const fs::path model = folder / "a cube #1.glb";  // a name the URI must escape
  write_cube_glb(model);
  for (int size : {128, 256}) {
    const fs::path output = root_ / ("thumbnail-" + std::to_string(size) + ".png");
    std::vector<std::string> argv = exec_argv(entry_["Exec"], model, output, size);
    ASSERT_EQ(argv.at(0), "thumbgen");
    argv[0] = (prefix_ / "bin/thumbgen").string();  // as PATH would find it once installed
    auto result = run_process(argv);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    expect_thumbnail(output, size);
  }
}

// Can bwrap make a sandbox on this machine? It cannot in some containers (no user namespaces, no mounts).
std::optional<std::string> bwrap_unavailable() {
  if (!fs::exists("/usr/bin/bwrap")) return "bwrap is not installed (scripts/deps.sh installs Debian's bubblewrap)";
  auto probe = run_process(
      {"/usr/bin/bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "true"});
  if (probe.exit_code != 0) return "bwrap cannot make a sandbox on this machine: " + probe.err;
  return std::nullopt;
}

// GNOME's seccomp filter for thumbnailers (gnome-desktop-thumbnail-script.c, taken from Flatpak) as a BPF program in
// an open file for `bwrap --seccomp FD` (no close-on-exec: bwrap inherits it). Everything is allowed except the
// kernel log, keyrings, NUMA memory policies, new namespaces and mounts, clone3 (ENOSYS, so libc falls back to
// clone), perf, ptrace, personalities other than Linux's, TIOCSTI/TIOCLINUX, and sockets other than unix, inet and
// netlink. Built without libseccomp, fd() is -1 and the sandbox has no filter.
class GnomeSeccompFilter {
 public:
  GnomeSeccompFilter() {
#if THUMBGEN_TEST_SECCOMP
    scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
    if (filter == nullptr) return;
    auto block = [&](int syscall, int error) { seccomp_rule_add(filter, SCMP_ACT_ERRNO(error), syscall, 0); };
    for (int syscall : {SCMP_SYS(syslog),  SCMP_SYS(uselib),        SCMP_SYS(acct),          SCMP_SYS(quotactl),
                        SCMP_SYS(add_key), SCMP_SYS(keyctl),        SCMP_SYS(request_key),   SCMP_SYS(move_pages),
                        SCMP_SYS(mbind),   SCMP_SYS(get_mempolicy), SCMP_SYS(set_mempolicy), SCMP_SYS(migrate_pages),
                        SCMP_SYS(unshare), SCMP_SYS(setns),         SCMP_SYS(mount),         SCMP_SYS(umount),
                        SCMP_SYS(umount2), SCMP_SYS(pivot_root),    SCMP_SYS(chroot),        SCMP_SYS(perf_event_open),
                        SCMP_SYS(ptrace)}) {
      block(syscall, EPERM);
    }
    for (int syscall : {SCMP_SYS(clone3), SCMP_SYS(open_tree), SCMP_SYS(move_mount), SCMP_SYS(fsopen),
                        SCMP_SYS(fsconfig), SCMP_SYS(fsmount), SCMP_SYS(fspick), SCMP_SYS(mount_setattr)}) {
      block(syscall, ENOSYS);
    }
    seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
    for (scmp_datum_t request : {scmp_datum_t{TIOCSTI}, scmp_datum_t{TIOCLINUX}}) {
      seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, request));
    }
    seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1, SCMP_A0(SCMP_CMP_NE, PER_LINUX));
    const std::set<int> allowed_families = {AF_UNSPEC, AF_LOCAL, AF_INET, AF_INET6, AF_NETLINK};
    for (int family = 0; family <= AF_MAX; ++family) {
      if (allowed_families.contains(family)) continue;
      seccomp_rule_add(filter, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                       SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family)));
    }
    char name[] = "/tmp/thumbgen-seccomp-XXXXXX";
    fd_ = ::mkstemp(name);
    if (fd_ >= 0) {
      ::unlink(name);
      if (seccomp_export_bpf(filter, fd_) == 0) {
        ::lseek(fd_, 0, SEEK_SET);
      } else {
        ::close(fd_);
        fd_ = -1;
      }
    }
    seccomp_release(filter);
#endif
  }
  ~GnomeSeccompFilter() {
    if (fd_ >= 0) ::close(fd_);
  }
  GnomeSeccompFilter(const GnomeSeccompFilter&) = delete;
  GnomeSeccompFilter& operator=(const GnomeSeccompFilter&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// GNOME's sandbox (gnome-desktop-thumbnail-script.c): /usr read-only, the usr-merged /bin /lib /lib64 /sbin, fresh
// /proc and /dev (no GPU device nodes), every namespace unshared (no network), the output folder as /tmp, the input
// bound read-only into it under a fixed name that keeps its extension, GNOME's seccomp filter. The staged /usr/local
// stands in for the installed prefix. `command` runs inside.
std::vector<std::string> gnome_bwrap(const fs::path& staged_prefix, const fs::path& output_folder,
                                     const fs::path& input, const std::string& sandboxed_input,
                                     const GnomeSeccompFilter& seccomp, const std::vector<std::string>& command) {
  std::vector<std::string> argv = {"/usr/bin/env", "PATH=/usr/local/bin:/usr/bin:/bin", "/usr/bin/bwrap"};
  auto add = [&argv](std::initializer_list<std::string> args) { argv.insert(argv.end(), args); };
  add({"--ro-bind", "/usr", "/usr"});
  add({"--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"});
  for (const std::string dir : {"/bin", "/lib64", "/lib", "/sbin"}) {
    if (!fs::exists(dir)) continue;
    if (fs::is_symlink(dir)) {
      add({"--symlink", "/usr" + dir, dir});
    } else {
      add({"--ro-bind", dir, dir});
    }
  }
  add({"--ro-bind", staged_prefix.string(), "/usr/local"});
  add({"--proc", "/proc", "--dev", "/dev", "--chdir", "/", "--setenv", "GIO_USE_VFS", "local"});
  add({"--unshare-all", "--die-with-parent"});
  add({"--bind", output_folder.string(), "/tmp", "--ro-bind", input.string(), sandboxed_input});
  if (seccomp.fd() >= 0) add({"--seccomp", std::to_string(seccomp.fd())});
#if defined(__SANITIZE_ADDRESS__)
  // LeakSanitizer stops the world with ptrace, which GNOME's filter refuses: leaks are checked outside the sandbox.
  const char* asan_options = std::getenv("ASAN_OPTIONS");
  add({"--setenv", "ASAN_OPTIONS", std::string(asan_options ? asan_options : "") + ":detect_leaks=0"});
#endif
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

TEST(GnomeSandbox, TheSeccompFilterIsInForce) {
  if (auto reason = bwrap_unavailable()) GTEST_SKIP() << *reason;
  GnomeSeccompFilter seccomp;
  if (seccomp.fd() < 0) GTEST_SKIP() << "built without libseccomp (scripts/deps.sh installs libseccomp-dev)";
  ScratchDir dir("thumbgen-seccomp");
  write_file(dir / "input", "x");
  fs::create_directories(dir / "empty prefix");
  // setarch -R asks for a personality other than Linux's: allowed outside, refused by the filter.
  auto outside = run_process({"/usr/bin/setarch", "x86_64", "-R", "/usr/bin/true"});
  ASSERT_EQ(outside.exit_code, 0) << outside.err;
  auto inside = run_process(gnome_bwrap(dir / "empty prefix", dir.path(), dir / "input", "/tmp/in", seccomp,
                                        {"/usr/bin/setarch", "x86_64", "-R", "/usr/bin/true"}));
  EXPECT_NE(inside.exit_code, 0);
  EXPECT_NE(inside.err.find("Operation not permitted"), std::string::npos) << inside.err;
}

TEST_F(InstalledThumbnailer, TheExecLineWorksInsideGnomesBwrapSandbox) {
  if (auto reason = bwrap_unavailable()) GTEST_SKIP() << *reason;
  const fs::path model = root_ / "model folder/cube.glb";
  fs::create_directories(model.parent_path());
  write_cube_glb(model);
  const std::string model_bytes = read_file(model);
  const fs::path output_folder = root_ / "gnome-desktop-thumbnailer-XXXXXX";
  fs::create_directories(output_folder);
  const std::string sandboxed_input = "/tmp/gnome-desktop-file-to-thumbnail.glb";

  GnomeSeccompFilter seccomp;
  auto result =
      run_process(gnome_bwrap(prefix_, output_folder, model, sandboxed_input, seccomp,
                              exec_argv(entry_["Exec"], sandboxed_input, "/tmp/gnome-desktop-thumbnailer.png", 256)));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_thumbnail(output_folder / "gnome-desktop-thumbnailer.png", 256);
  // Only the thumbnail and the input's mount point (made by bwrap) are left; the model is as it was.
  EXPECT_EQ(names_in(output_folder),
            (std::set<std::string>{"gnome-desktop-thumbnailer.png", "gnome-desktop-file-to-thumbnail.glb"}));
  EXPECT_EQ(read_file(model), model_bytes);
}

TEST_F(InstalledThumbnailer, InsideTheSandboxAModelThatFailsSaysWhyAndWritesNothing) {
  if (auto reason = bwrap_unavailable()) GTEST_SKIP() << *reason;
  const fs::path model = root_ / "broken.stl";
  write_file(model, std::string(80, '\0') + std::string("\xe8\x03\0\0", 4) + std::string(75, '\x01'));
  const fs::path output_folder = root_ / "out";
  fs::create_directories(output_folder);
  const std::string sandboxed_input = "/tmp/gnome-desktop-file-to-thumbnail.stl";
  GnomeSeccompFilter seccomp;
  auto result =
      run_process(gnome_bwrap(prefix_, output_folder, model, sandboxed_input, seccomp,
                              exec_argv(entry_["Exec"], sandboxed_input, "/tmp/gnome-desktop-thumbnailer.png", 128)));
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find(sandboxed_input), std::string::npos) << result.err;
  EXPECT_EQ(names_in(output_folder), std::set<std::string>{"gnome-desktop-file-to-thumbnail.stl"});
}

// ---- The MIME types ----

// A file of each format thumbgen reads, as its first bytes: the formats' magic where they have one.
const std::map<std::string, std::string>& format_samples() {
  static const std::map<std::string, std::string> samples = {
      {"glb", std::string("glTF\x02\0\0\0", 8)},
      {"gltf", R"({"asset":{"version":"2.0"}})"},
      {"obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"},
      {"fbx", std::string("Kaydara FBX Binary  \0\x1a\0", 23)},
      {"ply", "ply\nformat ascii 1.0\nelement vertex 0\nend_header\n"},
      {"stl", std::string(80, ' ') + std::string(4, '\0')},
      {"spz", std::string("\x1f\x8b\x08\0\0\0\0\0", 8)},
      {"splat", std::string(32, '\0')},
      {"ksplat", std::string(4096, '\0')},
      {"sog", std::string("PK\x03\x04", 4) + std::string(26, '\0') + "meta.json"},
      {"tilt", std::string("tilT\x10\0\0\0", 8)},
      {"vox", std::string("VOX \x96\0\0\0", 8)},
      {"dae", R"(<?xml version="1.0"?><COLLADA xmlns="http://www.collada.org/2005/11/COLLADASchema" version="1.4.1">)"},
      {"3ds", std::string("\x4d\x4d\x10\0\0\0", 6)},
      {"3mf", std::string("PK\x03\x04", 4) + std::string(26, '\0') + "3D/3dmodel.model"},
      {"amf", R"(<?xml version="1.0"?><amf unit="millimeter">)"},
      {"lwo", std::string("FORM\0\0\0\x10LWO2", 12)},
      {"off", "OFF\n3 1 0\n"},
      {"x", "xof 0302txt 0032\n"},
      {"ac", "AC3Db\nMATERIAL \"\" rgb 1 1 1\n"},
  };
  return samples;
}

class MimeTypes : public InstalledThumbnailer {
 protected:
  void SetUp() override {
    InstalledThumbnailer::SetUp();
    for (const char* tool : {"/usr/bin/update-mime-database", "/usr/bin/gio", "/usr/share/mime/mime.cache"}) {
      if (!fs::exists(tool)) GTEST_SKIP() << tool << " is missing (scripts/deps.sh installs shared-mime-info, gio)";
    }
    // As on a desktop after `make install`: the system's database (/usr/share/mime) and ours in the install prefix,
    // compiled by update-mime-database from our XML alone; applications search both (XDG_DATA_DIRS).
    fs::create_directories(data_ / "mime/packages");
    fs::copy_file(prefix_ / "share/mime/packages/thumbgen-mime.xml", data_ / "mime/packages/thumbgen-mime.xml");
    // (XDG_DATA_DIRS: it says so on stderr when the folder is not searched; no fsync: a scratch folder.)
    update_ = run_process({"/usr/bin/env", "XDG_DATA_DIRS=" + data_dirs(), "PKGSYSTEM_ENABLE_FSYNC=0",
                           "/usr/bin/update-mime-database", (data_ / "mime").string()});
    fs::create_directories(root_ / "home");
  }

  std::string data_dirs() const { return data_.string() + ":/usr/share"; }

  // The content type GIO gives `file` with those databases (what GNOME Files asks before it looks for a
  // thumbnailer).
  std::string content_type(const fs::path& file) {
    auto result =
        run_process({"/usr/bin/env", "XDG_DATA_DIRS=" + data_dirs(), "XDG_DATA_HOME=" + (root_ / "home").string(),
                     "GIO_USE_VFS=local", "/usr/bin/gio", "info", "-a", "standard::content-type", file.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    const std::string key = "standard::content-type: ";
    const auto at = result.out.find(key);
    if (at == std::string::npos) return "?";
    return result.out.substr(at + key.size(), result.out.find('\n', at) - at - key.size());
  }

  fs::path data_ = root_ / "share";
  test::ProcessResult update_;
};

TEST_F(MimeTypes, TheXmlIsValidForSharedMimeInfo) {
  if (fs::exists("/usr/bin/xmllint")) {
    auto lint =
        run_process({"/usr/bin/xmllint", "--noout", (prefix_ / "share/mime/packages/thumbgen-mime.xml").string()});
    EXPECT_EQ(lint.exit_code, 0) << lint.err;
  }
  EXPECT_EQ(update_.exit_code, 0) << update_.err;
  EXPECT_EQ(update_.err, "") << "update-mime-database warns about the XML";
  const std::string types = read_file(data_ / "mime/types");
  for (const char* type : {"model/x-spz", "model/x-splat", "model/x-ksplat", "model/x-sog", "model/x-tilt",
                           "model/x-vox", "model/x-ply", "model/x-fbx"}) {
    EXPECT_NE(types.find(std::string(type) + "\n"), std::string::npos) << type;
  }
}

TEST_F(MimeTypes, EveryFormatThumbgenReadsHasATypeTheThumbnailerTakes) {
  const auto taken = split(entry_["MimeType"], ';');
  const std::set<std::string> thumbnailer_types(taken.begin(), taken.end());
  const std::map<std::string, std::string> expected = {
      {"glb", "model/gltf-binary"}, {"gltf", "model/gltf+json"},
      {"obj", "model/obj"},         {"stl", "model/stl"},
      {"3mf", "model/3mf"},         {"3ds", "image/x-3ds"},
      {"lwo", "image/x-lwo"},       {"ply", "model/x-ply"},
      {"fbx", "model/x-fbx"},       {"dae", "model/vnd.collada+xml"},
      {"amf", "model/x-amf"},       {"off", "model/x-off"},
      {"x", "model/x-directx"},     {"ac", "model/x-ac3d"},
      {"spz", "model/x-spz"},       {"splat", "model/x-splat"},
      {"ksplat", "model/x-ksplat"}, {"sog", "model/x-sog"},
      {"tilt", "model/x-tilt"},     {"vox", "model/x-vox"},
  };
  fs::create_directories(root_ / "samples");
  for (const scene::ModelFormat& format : scene::model_formats()) {
    if (!scene::loadable_in_this_build(format)) continue;
    const std::string extension(format.extension);
    const auto sample = format_samples().find(extension);
    ASSERT_NE(sample, format_samples().end()) << "." << extension << ": add a sample and a MIME type for it";
    const fs::path file = root_ / "samples" / ("model." + extension);
    write_file(file, sample->second);
    const std::string type = content_type(file);
    EXPECT_EQ(type, expected.at(extension)) << file;
    EXPECT_TRUE(thumbnailer_types.contains(type)) << "." << extension << " is " << type << ", not in MimeType=";
  }
}

TEST_F(MimeTypes, MagicOnlyTypesDoNotClaimOtherFilesOfTheirExtension) {
  fs::create_directories(root_ / "samples");
  write_file(root_ / "samples/configure.ac", "AC_INIT([thumbgen], [1.0])\nAC_OUTPUT\n");
  EXPECT_EQ(content_type(root_ / "samples/configure.ac"), "text/plain");
  // A model of a known format named without its extension is still found by its magic.
  write_file(root_ / "samples/voxels", format_samples().at("vox"));
  EXPECT_EQ(content_type(root_ / "samples/voxels"), "model/x-vox");
}

}  // namespace
}  // namespace thumbgen
