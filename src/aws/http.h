#pragma once
// The HTTP seam of aws/: one request in, one response out. http_curl.cc is
// the real implementation (libcurl, one reused connection per thread); tests
// that need no network may substitute their own.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4.h"

namespace handoff::aws {

struct HttpRequest {
  std::string method = "GET";
  std::string url;              ///< fully encoded, as sent
  std::vector<Header> headers;  ///< sent as given; Content-Type should always be set
  /// The body, when it is in memory.
  std::string body;
  /// Or a slice of a file, streamed (memory stays flat): used when set.
  std::filesystem::path body_file;
  uint64_t body_offset = 0;
  uint64_t body_length = 0;
  /// When set, a 2xx response body is streamed here instead of collected in
  /// HttpResponse::body (error bodies are always collected, to be parsed).
  /// Returning false aborts the transfer.
  std::function<bool(const char* data, size_t size)> on_body;
  /// Called for each chunk of the request body sent, with its size (progress).
  std::function<void(uint64_t bytes)> on_upload;
  double connect_timeout = 10;  ///< seconds
  /// Abort when fewer than 1 byte/s flowed for this long (a stalled peer).
  double stall_timeout = 60;
};

struct HttpResponse {
  int status = 0;
  std::vector<Header> headers;  ///< names lower-cased
  std::string body;
  /// The value of a header (name in lower case), or "" when absent.
  std::string header(std::string_view lower_name) const;
};

/// Nothing usable came back: the connection was refused or reset, it timed
/// out or stalled, or on_body aborted. Always worth a retry except aborted.
struct TransportError {
  enum class Kind { connect, timeout, io, aborted } kind;
  std::string message;  ///< libcurl's text and the URL's host, never a header
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  /// Send req; an HTTP status (any, 4xx and 5xx included) is a response, a
  /// failure to get one is a TransportError (thrown).
  virtual HttpResponse send(const HttpRequest& req) = 0;
};

/// The libcurl client. Safe to share between threads: each thread keeps its
/// own handle, so connections are reused per thread.
std::shared_ptr<HttpClient> make_curl_client();

}  // namespace handoff::aws
