#include "store/etag.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <sys/stat.h>

#include <optional>
#include <stdexcept>

#include "util/error.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/strings.h"

namespace handoff::store {

Md5::Md5() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("MD5 is not available in libcrypto");
  }
}

Md5::~Md5() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Md5::update(const void* data, size_t size) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}

std::string Md5::finish_raw() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Md5::finish_hex() { return to_hex(finish_raw()); }

std::string to_hex(std::string_view bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = k_digits[b >> 4];
    out[2 * i + 1] = k_digits[b & 0x0f];
  }
  return out;
}

std::string md5_hex(std::string_view data) {
  Md5 m;
  m.update(data.data(), data.size());
  return m.finish_hex();
}

std::string multipart_etag(const std::vector<std::string>& part_md5_raw) {
  Md5 m;
  for (const auto& p : part_md5_raw) m.update(p.data(), p.size());
  return m.finish_hex() + "-" + std::to_string(part_md5_raw.size());
}

std::string file_etag(const std::filesystem::path& file, uint64_t multipart_threshold,
                      uint64_t part_size) {
  util::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw Error("cannot read " + util::quote(file.string()) + ": " + util::errno_text(errno));
  struct stat st;
  if (::fstat(fd.fd(), &st) != 0) {
    throw Error("cannot stat " + util::quote(file.string()) + ": " + util::errno_text(errno));
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  const bool multipart = multipart_threshold > 0 && part_size > 0 && size >= multipart_threshold;
  Md5 whole;
  std::optional<Md5> part;
  std::vector<std::string> parts;
  uint64_t in_part = 0;
  std::string buf(1 << 20, '\0');
  for (;;) {
    ssize_t n = ::read(fd.fd(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read " + util::quote(file.string()) + ": " + util::errno_text(errno));
    }
    if (n == 0) break;
    if (!multipart) {
      whole.update(buf.data(), static_cast<size_t>(n));
      continue;
    }
    size_t off = 0;
    while (off < static_cast<size_t>(n)) {
      if (!part) part.emplace();
      size_t take = std::min<uint64_t>(static_cast<size_t>(n) - off, part_size - in_part);
      part->update(buf.data() + off, take);
      off += take;
      in_part += take;
      if (in_part == part_size) {
        parts.push_back(part->finish_raw());
        part.reset();
        in_part = 0;
      }
    }
  }
  if (!multipart) return whole.finish_hex();
  if (part) parts.push_back(part->finish_raw());
  return multipart_etag(parts);
}

}  // namespace handoff::store
