#pragma once
// Encryption at rest for SecureString parameters of the local store:
// libsodium's crypto_secretbox (XSalsa20-Poly1305) under a 32-byte key kept in
// its own file, apart from the data (default ~/.config/handoff/store.key).
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace handoff::store {

/// `$XDG_CONFIG_HOME/handoff/store.key`, else `~/.config/handoff/store.key`.
std::filesystem::path default_key_path();

std::string base64_encode(std::string_view bytes);
/// nullopt when text is not valid base64 (original alphabet, padded).
std::optional<std::string> base64_decode(std::string_view text);

class SecretBox {
 public:
  /// Load the key file. When it is absent and create is true, make it first:
  /// 32 random bytes (base64, one line), mode 0600 from creation, published
  /// with link(2) so another process sees no file or the whole key, and the
  /// first of two racing creators wins. Absent and !create, unreadable,
  /// malformed or readable by others → handoff::Error.
  static SecretBox load(const std::filesystem::path& key_path, bool create);

  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;
  SecretBox(SecretBox&& other) noexcept;
  SecretBox& operator=(SecretBox&&) = delete;
  ~SecretBox();

  /// base64(nonce || ciphertext), a fresh random nonce per call.
  std::string seal(std::string_view plain) const;
  /// The plain text, or nullopt when sealed is malformed or was sealed under
  /// another key (authentication fails).
  std::optional<std::string> open(std::string_view sealed) const;
  /// A short fingerprint of the key (16 hex digits of a keyed BLAKE2b), stored
  /// beside each ciphertext so a replaced key is named as the cause.
  std::string key_id() const;
  const std::filesystem::path& key_path() const { return key_path_; }

 private:
  SecretBox(std::filesystem::path key_path, const std::array<unsigned char, 32>& key);

  std::filesystem::path key_path_;
  std::array<unsigned char, 32> key_{};
};

}  // namespace handoff::store
