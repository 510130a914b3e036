#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

#include "util/strings.h"

namespace handoff::aws {
namespace {

constexpr std::string_view k_algorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view k_unsigned_payload = "UNSIGNED-PAYLOAD";

// botocore's SIGNED_HEADERS_BLACKLIST: headers a proxy or the HTTP client may
// change on the way, so signing them would break the signature.
constexpr std::array<std::string_view, 11> k_unsigned_headers = {"connection",
                                                                 "expect",
                                                                 "keep-alive",
                                                                 "proxy-authenticate",
                                                                 "proxy-authorization",
                                                                 "te",
                                                                 "trailer",
                                                                 "transfer-encoding",
                                                                 "upgrade",
                                                                 "user-agent",
                                                                 "x-amzn-trace-id"};

std::string to_hex(const unsigned char* data, size_t n) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(n * 2, '\0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = k_digits[data[i] >> 4];
    out[2 * i + 1] = k_digits[data[i] & 0x0f];
  }
  return out;
}

using Mac = std::array<unsigned char, 32>;

Mac hmac_sha256(std::string_view key, std::string_view data) {
  Mac out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &len) == nullptr ||
      len != out.size()) {
    throw std::runtime_error("HMAC-SHA256 failed in libcrypto");
  }
  return out;
}

std::string_view as_view(const Mac& m) {
  return {reinterpret_cast<const char*>(m.data()), m.size()};
}

bool is_default_port(std::string_view scheme, int port) {
  return port == 0 || (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
}

// Trimall from the SigV4 docs: strip, and collapse runs of white space to one
// space (botocore: ' '.join(value.split())).
std::string trim_all(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// RFC 3986 5.2.4 remove_dot_segments, plus dropping empty segments, exactly
// as botocore.utils.remove_dot_segments does for non-S3 services.
std::string normalize_path(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string> out;
  for (const std::string& seg : util::split(path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else {
      out.push_back(seg);
    }
  }
  std::string result = path.front() == '/' ? "/" : "";
  result += util::join(out, "/");
  if (path.back() == '/' && !out.empty()) result += '/';
  return result;
}

std::string canonical_query(const Request& req) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(req.query.size());
  for (const QueryParam& q : req.query) {
    pairs.emplace_back(uri_encode(q.key, true), uri_encode(q.value, true));
  }
  // Sort by encoded key, then encoded value for repeated keys (byte order).
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

}  // namespace

std::string uri_encode(std::string_view s, bool encode_slash) {
  static constexpr char k_digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || (c == '/' && !encode_slash)) {
      out += ch;
    } else {
      out += '%';
      out += k_digits[c >> 4];
      out += k_digits[c & 0x0f];
    }
  }
  return out;
}

std::string wire_path(const Request& req) {
  if (req.path.empty()) return "/";
  return uri_encode(req.path, false);
}

std::string wire_query(const Request& req) {
  std::string out;
  for (const QueryParam& q : req.query) {
    if (!out.empty()) out += '&';
    out += uri_encode(q.key, true);
    out += '=';
    out += uri_encode(q.value, true);
  }
  return out;
}

std::string host_header(const Request& req) {
  if (is_default_port(req.scheme, req.port)) return req.host;
  return req.host + ":" + std::to_string(req.port);
}

std::string wire_url(const Request& req) {
  std::string url = req.scheme + "://" + host_header(req) + wire_path(req);
  std::string query = wire_query(req);
  if (!query.empty()) url += "?" + query;
  return url;
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  size_t n = strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed in libcrypto");
  }
  return to_hex(digest.data(), len);
}

SignedHeaders sign(const Request& req, const Credentials& creds, std::string_view region,
                   std::string_view service, std::chrono::system_clock::time_point now,
                   PayloadMode mode) {
  const std::string timestamp = amz_date(now);
  const std::string date = timestamp.substr(0, 8);
  const bool with_header = mode != PayloadMode::body_hash;

  std::string payload_hash;
  if (mode == PayloadMode::unsigned_payload_header) {
    payload_hash = k_unsigned_payload;
  } else if (!req.payload_sha256.empty()) {
    payload_hash = req.payload_sha256;
  } else {
    payload_hash = sha256_hex(req.body);
  }

  // The headers we set replace any the caller passed under the same name,
  // as botocore's _modify_request_before_signing does.
  SignedHeaders out;
  out.headers.push_back({"x-amz-date", timestamp});
  if (!creds.session_token.empty())
    out.headers.push_back({"x-amz-security-token", creds.session_token});
  if (with_header) out.headers.push_back({"x-amz-content-sha256", payload_hash});

  auto is_ours = [&](const std::string& lname) {
    if (lname == "authorization") return true;
    return std::any_of(out.headers.begin(), out.headers.end(),
                       [&](const Header& h) { return h.name == lname; });
  };

  // name -> values in order of appearance; repeated headers join with ','.
  std::vector<std::pair<std::string, std::string>> canon;
  auto add = [&](const std::string& lname, std::string_view value) {
    std::string v = trim_all(value);
    for (auto& [n, vals] : canon) {
      if (n == lname) {
        vals += ',';
        vals += v;
        return;
      }
    }
    canon.emplace_back(lname, std::move(v));
  };
  bool has_host = false;
  for (const Header& h : req.headers) {
    std::string lname = util::to_lower(h.name);
    if (is_ours(lname)) continue;
    if (std::find(k_unsigned_headers.begin(), k_unsigned_headers.end(), lname) !=
        k_unsigned_headers.end()) {
      continue;
    }
    has_host = has_host || lname == "host";
    add(lname, h.value);
  }
  if (!has_host) add("host", util::to_lower(host_header(req)));
  for (const Header& h : out.headers) add(h.name, h.value);
  std::sort(canon.begin(), canon.end());

  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& [n, v] : canon) {
    canonical_headers += n + ":" + v + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += n;
  }

  std::string canonical_uri = wire_path(req);
  if (service != "s3") canonical_uri = uri_encode(normalize_path(canonical_uri), false);

  out.canonical_request = util::to_upper(req.method) + "\n" + canonical_uri + "\n" +
                          canonical_query(req) + "\n" + canonical_headers + "\n" + signed_headers +
                          "\n" + payload_hash;

  const std::string scope =
      date + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  out.string_to_sign = std::string(k_algorithm) + "\n" + timestamp + "\n" + scope + "\n" +
                       sha256_hex(out.canonical_request);

  Mac key = hmac_sha256("AWS4" + creds.secret_access_key, date);
  key = hmac_sha256(as_view(key), region);
  key = hmac_sha256(as_view(key), service);
  key = hmac_sha256(as_view(key), "aws4_request");
  Mac sig = hmac_sha256(as_view(key), out.string_to_sign);
  out.signature = to_hex(sig.data(), sig.size());

  out.headers.push_back({"authorization", std::string(k_algorithm) +
                                              " Credential=" + creds.access_key_id + "/" + scope +
                                              ", SignedHeaders=" + signed_headers +
                                              ", Signature=" + out.signature});
  return out;
}

}  // namespace handoff::aws
