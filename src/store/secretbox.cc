#include "store/secretbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>
#include <sodium.h>

#include "store/local_files.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/strings.h"

namespace handoff::store {

namespace fs = std::filesystem;

static_assert(crypto_secretbox_KEYBYTES == 32);

namespace {

void init_sodium() {
  if (sodium_init() < 0) throw Error("cannot initialise libsodium");
}

std::string key_error_hint(const fs::path& key_path) {
  return fmt::format("restore the key file '{}' that the store was written with", key_path.string());
}

// Write a fresh key to a temp file beside key_path, then link(2) it into
// place: link fails with EEXIST if another process got there first, and
// nobody ever sees a half-written key. The temp file is created 0600 with
// O_EXCL, so the key is never readable by others, not even briefly.
void create_key_file(const fs::path& key_path) {
  local::make_private_dirs(key_path.parent_path());
  std::array<unsigned char, crypto_secretbox_KEYBYTES> key{};
  crypto_secretbox_keygen(key.data());
  std::string text =
      base64_encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())) + "\n";
  sodium_memzero(key.data(), key.size());

  fs::path tmp = key_path;
  tmp += ".tmp-" + local::random_hex(8);
  {
    util::UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid()) {
      throw Error(fmt::format("cannot create key file '{}': {}", key_path.string(),
                              util::errno_text(errno)));
    }
    ::fchmod(fd.fd(), 0600);  // a umask cannot widen it, but be explicit
    ssize_t n = ::write(fd.fd(), text.data(), text.size());
    if (n != static_cast<ssize_t>(text.size()) || ::fsync(fd.fd()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      throw Error(fmt::format("cannot write key file '{}': {}", key_path.string(), util::errno_text(err)));
    }
  }
  sodium_memzero(text.data(), text.size());
  int rc = ::link(tmp.c_str(), key_path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc != 0 && err != EEXIST) {
    throw Error(fmt::format("cannot create key file '{}': {}", key_path.string(), util::errno_text(err)));
  }
}

}  // namespace

fs::path default_key_path() {
  return local::xdg_dir("XDG_CONFIG_HOME", ".config") / "handoff" / "store.key";
}

std::string base64_encode(std::string_view bytes) {
  init_sodium();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  init_sodium();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

SecretBox SecretBox::load(const fs::path& key_path, bool create) {
  init_sodium();
  util::UniqueFd fd(::open(key_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid() && errno == ENOENT && create) {
    create_key_file(key_path);
    fd.reset(::open(key_path.c_str(), O_RDONLY | O_CLOEXEC));
  }
  if (!fd.valid()) {
    int err = errno;
    if (err == ENOENT) {
      throw Error(fmt::format("the local store's key file '{}' does not exist", key_path.string()),
                  key_error_hint(key_path));
    }
    throw Error(fmt::format("cannot read key file '{}': {}", key_path.string(), util::errno_text(err)));
  }
  struct stat st {};
  if (::fstat(fd.fd(), &st) != 0 || !S_ISREG(st.st_mode)) {
    throw Error(fmt::format("key file '{}' is not a regular file", key_path.string()));
  }
  if ((st.st_mode & 0077) != 0) {
    throw Error(fmt::format("key file '{}' is readable by others (mode {:o})", key_path.string(),
                            st.st_mode & 07777),
                fmt::format("chmod 600 '{}'", key_path.string()));
  }
  char buf[256];
  ssize_t n = ::read(fd.fd(), buf, sizeof buf);
  std::optional<std::string> key;
  if (n > 0) key = base64_decode(util::trim(std::string_view(buf, static_cast<size_t>(n))));
  sodium_memzero(buf, sizeof buf);
  if (!key || key->size() != crypto_secretbox_KEYBYTES) {
    throw Error(fmt::format("key file '{}' does not hold a 32-byte base64 key", key_path.string()),
                key_error_hint(key_path));
  }
  std::array<unsigned char, 32> bytes{};
  std::copy(key->begin(), key->end(), bytes.begin());
  sodium_memzero(key->data(), key->size());
  SecretBox box(key_path, bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return box;
}

SecretBox::SecretBox(fs::path key_path, const std::array<unsigned char, 32>& key)
    : key_path_(std::move(key_path)), key_(key) {}

SecretBox::SecretBox(SecretBox&& other) noexcept : key_path_(std::move(other.key_path_)), key_(other.key_) {
  sodium_memzero(other.key_.data(), other.key_.size());
}

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

std::string SecretBox::seal(std::string_view plain) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), nonce,
                        key_.data());
  return base64_encode(out);
}

std::optional<std::string> SecretBox::open(std::string_view sealed) const {
  auto bytes = base64_decode(sealed);
  if (!bytes || bytes->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return std::nullopt;
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(bytes->data());
  const unsigned char* cipher = nonce + crypto_secretbox_NONCEBYTES;
  size_t cipher_len = bytes->size() - crypto_secretbox_NONCEBYTES;
  std::string plain(cipher_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), cipher, cipher_len,
                                 nonce, key_.data()) != 0) {
    return std::nullopt;
  }
  return plain;
}

std::string SecretBox::key_id() const {
  // A keyed hash of a fixed label: reveals nothing about the key itself.
  static constexpr std::string_view k_label = "handoff store key id";
  unsigned char out[8];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(k_label.data()),
                     k_label.size(), key_.data(), key_.size());
  std::string hex;
  for (unsigned char c : out) hex += fmt::format("{:02x}", c);
  return hex;
}

}  // namespace handoff::store
