#pragma once
// S3's REST API over aws::Client: the request shapes (pure functions, so the
// differential test against botocore can sign exactly what we send), the XML
// bodies (pugixml), and S3Client, one method per S3 call. Orchestration
// (hashing passes, multipart threads, temp files) is the store's job
// (store/aws_objects.cc). Keys are plain UTF-8; Request.path holds them
// decoded and the signer encodes them.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/client.h"

namespace handoff::aws::s3 {

using TimePoint = std::chrono::system_clock::time_point;

/// Where a bucket's requests go: path-style (`/<bucket>/<key>`) on a custom
/// endpoint (AWS_ENDPOINT_URL*) or a bucket name that cannot be a DNS label,
/// virtual-hosted (`<bucket>.<endpoint host>`) otherwise.
struct Addressing {
  Endpoint endpoint;
  std::string region;
};

struct ObjectMeta {
  std::string key;
  uint64_t size = 0;
  std::string etag;  ///< lower-case, without quotes
  TimePoint last_modified;
  std::string content_type;  ///< HEAD/GET only; empty from a listing
  /// x-amz-server-side-encryption (HEAD/GET): with "aws:kms" the ETag of a
  /// single-part object is not its MD5.
  std::string server_side_encryption;
};

struct ListPage {
  std::vector<ObjectMeta> objects;
  bool truncated = false;
  std::string next_token;  ///< NextContinuationToken when truncated
};

struct ErrorBody {
  std::string code;
  std::string message;
};

struct DeleteFailure {
  std::string key;
  std::string code;
  std::string message;
};

/// A slice of a local file to send, with its digests (computed by the caller
/// in one pass): the base64 MD5 for Content-MD5, and the hex SHA-256 when the
/// payload is signed (plain http); empty sha256 means UNSIGNED-PAYLOAD.
struct FileBody {
  std::filesystem::path file;
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string md5_base64;
  std::string sha256_hex;
};

// --- XML and small formats (s3_xml.cc) -------------------------------------

/// A ListObjectsV2 result page. Throws handoff::Error on malformed XML.
ListPage parse_list_page(std::string_view xml);
/// InitiateMultipartUploadResult's UploadId.
std::string parse_upload_id(std::string_view xml);
/// CompleteMultipartUploadResult's ETag (normalized). S3 may answer 200 with
/// an <Error> body here: that throws AwsError with its code.
std::string parse_complete_etag(std::string_view xml, const std::string& subject);
/// CopyObjectResult's ETag (normalized); an <Error> body throws as above.
std::string parse_copy_etag(std::string_view xml, const std::string& subject);
/// DeleteResult's <Error> entries (empty when every key was deleted).
std::vector<DeleteFailure> parse_delete_failures(std::string_view xml);
/// An <Error> document's code and message, or nullopt when xml is not one.
std::optional<ErrorBody> parse_error(std::string_view xml);

/// <Delete> body for DeleteObjects (quiet mode), at most 1000 keys.
std::string delete_request_xml(const std::vector<std::string>& keys);
/// <CompleteMultipartUpload> body; part_etags[i] is part i+1's ETag.
std::string complete_request_xml(const std::vector<std::string>& part_etags);

/// Strip S3's quotes and lower-case: "\"ABC\"" -> "abc".
std::string normalize_etag(std::string_view etag);
std::string base64(std::string_view bytes);
/// Content-MD5's value: base64 of the raw MD5 of bytes.
std::string content_md5(std::string_view bytes);
/// "2026-11-28T12:00:00.000Z" (listings); nullopt when malformed.
std::optional<TimePoint> parse_iso8601(std::string_view s);
/// "Sat, 28 Nov 2026 12:00:00 GMT" (Last-Modified); nullopt when malformed.
std::optional<TimePoint> parse_http_date(std::string_view s);

// --- request shapes (s3.cc) --------------------------------------------------

/// "s3://bucket/key" for messages.
std::string subject(const std::string& bucket, const std::string& key = {});
/// True when bucket must go path-style even on AWS (dots break TLS wildcards,
/// upper case and '_' are not DNS labels).
bool needs_path_style(const Addressing& a, const std::string& bucket);
/// A Call for one object (or the bucket when key is empty): service "s3",
/// scheme, host, port and path filled for the addressing, Content-Type set
/// (every request has one: a form content type hangs moto).
Call object_call(const Addressing& a, std::string method, std::string operation,
                 const std::string& bucket, const std::string& key,
                 std::vector<QueryParam> query = {});

Call put_object_call(const Addressing& a, const std::string& bucket, const std::string& key,
                     const FileBody& body, std::string_view content_type);
/// PutObject of bytes in memory with `If-None-Match: *`; 412 is accepted.
Call put_if_absent_call(const Addressing& a, const std::string& bucket, const std::string& key,
                        std::string_view bytes);
Call get_object_call(const Addressing& a, const std::string& bucket, const std::string& key);
Call head_object_call(const Addressing& a, const std::string& bucket, const std::string& key);
Call list_call(const Addressing& a, const std::string& bucket, const std::string& prefix,
               const std::string& continuation_token);
Call delete_object_call(const Addressing& a, const std::string& bucket, const std::string& key);
Call delete_objects_call(const Addressing& a, const std::string& bucket,
                         const std::vector<std::string>& keys);
Call copy_object_call(const Addressing& a, const std::string& bucket, const std::string& src_key,
                      const std::string& dst_key);
Call create_multipart_call(const Addressing& a, const std::string& bucket, const std::string& key,
                           std::string_view content_type);
Call upload_part_call(const Addressing& a, const std::string& bucket, const std::string& key,
                      const std::string& upload_id, int part_number, const FileBody& body);
Call complete_multipart_call(const Addressing& a, const std::string& bucket,
                             const std::string& key, const std::string& upload_id,
                             const std::vector<std::string>& part_etags);
Call abort_multipart_call(const Addressing& a, const std::string& bucket, const std::string& key,
                          const std::string& upload_id);

// --- the client ---------------------------------------------------------------

/// One method per S3 call. Thread-safe (holds only the shared Client).
/// Errors are AwsError from the client, naming the call and "s3://bucket/key";
/// NoSuchBucket gets a hint.
class S3Client {
 public:
  explicit S3Client(std::shared_ptr<Client> client);

  /// Region and endpoint, resolved once.
  const Addressing& addressing();

  /// PutObject; returns what the response says (etag, server_side_encryption).
  ObjectMeta put_object(const std::string& bucket, const std::string& key, const FileBody& body,
                         std::string_view content_type);
  /// False when an object of that key exists (412 PreconditionFailed).
  bool put_if_absent(const std::string& bucket, const std::string& key, std::string_view bytes);
  /// GetObject streamed to sink; on_attempt runs before each try (start over).
  /// Nullopt when there is no such key; else the object's HEAD-like metadata.
  std::optional<ObjectMeta> get_object(const std::string& bucket, const std::string& key,
                                       const std::function<bool(const char*, size_t)>& sink,
                                       const std::function<void()>& on_attempt);
  std::optional<ObjectMeta> head_object(const std::string& bucket, const std::string& key);
  /// ListObjectsV2, every page.
  std::vector<ObjectMeta> list_all(const std::string& bucket, const std::string& prefix);
  void delete_object(const std::string& bucket, const std::string& key);
  /// DeleteObjects in batches of 1000; throws naming the first key refused.
  void delete_objects(const std::string& bucket, const std::vector<std::string>& keys);
  /// CopyObject within a bucket; returns the new ETag.
  std::string copy_object(const std::string& bucket, const std::string& src_key,
                          const std::string& dst_key);
  std::string create_multipart(const std::string& bucket, const std::string& key,
                               std::string_view content_type);
  /// UploadPart; returns the part's etag and server_side_encryption.
  ObjectMeta upload_part(const std::string& bucket, const std::string& key,
                          const std::string& upload_id, int part_number, const FileBody& body);
  std::string complete_multipart(const std::string& bucket, const std::string& key,
                                 const std::string& upload_id,
                                 const std::vector<std::string>& part_etags);
  /// Best effort: never throws (it runs while another error is on its way).
  void abort_multipart(const std::string& bucket, const std::string& key,
                       const std::string& upload_id) noexcept;

 private:
  HttpResponse send(const Call& call, const std::string& bucket);
  /// Abort the open multipart uploads of key except keep; never throws.
  void abort_others(const std::string& bucket, const std::string& key,
                    const std::string& keep) noexcept;

  std::shared_ptr<Client> client_;
  std::once_flag addressing_once_;
  Addressing addressing_;
};

}  // namespace handoff::aws::s3
