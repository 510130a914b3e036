#pragma once
// AWS Signature Version 4 (header signing), as a pure function of the request,
// the credentials and a clock passed in, so tests pin the time.
// Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// The judge is botocore's SigV4Auth / S3SigV4Auth (src/aws/sigv4_test.cc).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"

namespace handoff::aws {

struct Header {
  std::string name;
  std::string value;
};

struct QueryParam {
  std::string key;    // decoded; encoded by the signer
  std::string value;  // decoded; "" for a bare key such as "?uploads"
};

struct Request {
  std::string method = "GET";
  std::string scheme = "https";   // "https" or "http"
  std::string host;               // lower case, no port: "127.0.0.1", "ssm.eu-west-1.amazonaws.com"
  int port = 0;                   // 0 or the scheme's default: not part of the Host header
  std::string path = "/";         // decoded ("/bucket/my key.txt"); see wire_path()
  std::vector<QueryParam> query;  // in any order; the canonical form sorts them
  /// Sent as given. All are signed except hop-by-hop ones and User-Agent
  /// (botocore's list); a Host header, if given, overrides host[:port].
  std::vector<Header> headers;
  std::string body;
  /// Hex SHA-256 of the body when the body is streamed and not in `body`;
  /// empty: hash `body`.
  std::string payload_sha256;
};

enum class PayloadMode {
  body_hash,                // payload hash in the canonical request only (SSM, STS, ...)
  content_sha256_header,    // S3: also sent as x-amz-content-sha256
  unsigned_payload_header,  // S3: x-amz-content-sha256 and hash are "UNSIGNED-PAYLOAD"
};

struct SignedHeaders {
  /// Headers to add to the request, in this order: x-amz-date,
  /// x-amz-security-token (with a session token), x-amz-content-sha256 (S3
  /// modes), authorization. The request's own headers are not repeated.
  std::vector<Header> headers;
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lower-case hex
};

/// Sign req. The canonical URI is the wire path (S3: as sent, RFC 3986
/// encoded once; every other service: dot segments and empty segments removed,
/// then encoded a second time, as AWS and botocore do).
SignedHeaders sign(const Request& req, const Credentials& creds, std::string_view region,
                   std::string_view service, std::chrono::system_clock::time_point now,
                   PayloadMode mode);

/// RFC 3986 percent-encoding of every byte but A-Z a-z 0-9 - . _ ~ (and '/'
/// unless encode_slash), upper-case hex; UTF-8 is encoded byte by byte.
std::string uri_encode(std::string_view s, bool encode_slash);

/// The path as sent: uri_encode(path, false); "/" when empty.
std::string wire_path(const Request& req);
/// The query as sent, in the given order: k=v&k2=v2 (empty values keep '=').
std::string wire_query(const Request& req);
/// scheme://host[:port]/path[?query] as sent on the wire.
std::string wire_url(const Request& req);
/// host, plus ":port" when port is set and not the scheme's default.
std::string host_header(const Request& req);

/// "YYYYMMDDTHHMMSSZ" in UTC.
std::string amz_date(std::chrono::system_clock::time_point t);
/// Lower-case hex SHA-256 of data.
std::string sha256_hex(std::string_view data);

}  // namespace handoff::aws
