// S3 requests over aws::Client: addressing, request shapes, and one method
// per call. See s3.h for the split with store/aws_objects.cc.
#include "aws/s3.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "util/error.h"

namespace handoff::aws::s3 {

namespace {

constexpr const char* k_octet = "application/octet-stream";
constexpr const char* k_xml = "application/xml";
constexpr size_t k_delete_batch = 1000;

void set_header(Request& r, std::string name, std::string value) {
  for (Header& h : r.headers) {
    if (h.name.size() == name.size() &&
        std::equal(h.name.begin(), h.name.end(), name.begin(), [](char x, char y) {
          return std::tolower(static_cast<unsigned char>(x)) ==
                 std::tolower(static_cast<unsigned char>(y));
        })) {
      h.value = std::move(value);
      return;
    }
  }
  r.headers.push_back({std::move(name), std::move(value)});
}

void set_file_body(Call& c, const FileBody& body) {
  c.body_file = body.file;
  c.body_offset = body.offset;
  c.body_length = body.length;
  set_header(c.request, "Content-MD5", body.md5_base64);
  // Plain http has no integrity of its own, so the payload is signed there;
  // over TLS, UNSIGNED-PAYLOAD saves a second read (Content-MD5 still lets
  // the server check the bytes).
  if (body.sha256_hex.empty()) {
    c.mode = PayloadMode::unsigned_payload_header;
  } else {
    c.mode = PayloadMode::content_sha256_header;
    c.request.payload_sha256 = body.sha256_hex;
  }
}

void set_memory_body(Call& c, std::string body, std::string_view content_type) {
  set_header(c.request, "Content-Type", std::string(content_type));
  set_header(c.request, "Content-MD5", content_md5(body));
  c.request.body = std::move(body);
  c.mode = PayloadMode::content_sha256_header;
}

std::string header_or(const HttpResponse& r, std::string_view name) { return r.header(name); }

ObjectMeta meta_from_headers(const std::string& key, const HttpResponse& r) {
  ObjectMeta m;
  m.key = key;
  std::string len = header_or(r, "content-length");
  if (!len.empty()) m.size = std::strtoull(len.c_str(), nullptr, 10);
  m.etag = normalize_etag(header_or(r, "etag"));
  if (auto t = parse_http_date(header_or(r, "last-modified"))) m.last_modified = *t;
  m.content_type = header_or(r, "content-type");
  m.server_side_encryption = header_or(r, "x-amz-server-side-encryption");
  return m;
}

}  // namespace

std::string subject(const std::string& bucket, const std::string& key) {
  return "s3://" + bucket + "/" + key;
}

bool needs_path_style(const Addressing& a, const std::string& bucket) {
  if (a.endpoint.custom) return true;
  if (bucket.size() < 3 || bucket.size() > 63) return true;
  // Dots: the certificate's *.s3.<region>.amazonaws.com covers one label only.
  return !std::all_of(bucket.begin(), bucket.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Call object_call(const Addressing& a, std::string method, std::string operation,
                 const std::string& bucket, const std::string& key,
                 std::vector<QueryParam> query) {
  Call c;
  c.service = "s3";
  c.operation = std::move(operation);
  c.subject = key.empty() ? "bucket 's3://" + bucket + "'" : "'" + subject(bucket, key) + "'";
  Request& r = c.request;
  r.method = std::move(method);
  r.scheme = a.endpoint.scheme;
  r.port = a.endpoint.port;
  // The client leaves a request with a host alone, so the endpoint's base
  // path (AWS_ENDPOINT_URL=http://host/prefix) goes in here.
  if (needs_path_style(a, bucket)) {
    r.host = a.endpoint.host;
    r.path = a.endpoint.base_path + "/" + bucket;
    if (!key.empty()) r.path += "/" + key;
  } else {
    r.host = bucket + "." + a.endpoint.host;
    r.path = a.endpoint.base_path + "/" + key;
  }
  r.query = std::move(query);
  set_header(r, "Content-Type", k_octet);
  return c;
}

Call put_object_call(const Addressing& a, const std::string& bucket, const std::string& key,
                     const FileBody& body, std::string_view content_type) {
  Call c = object_call(a, "PUT", "PutObject", bucket, key);
  set_header(c.request, "Content-Type", content_type.empty() ? k_octet : std::string(content_type));
  set_file_body(c, body);
  return c;
}

Call put_if_absent_call(const Addressing& a, const std::string& bucket, const std::string& key,
                        std::string_view bytes) {
  Call c = object_call(a, "PUT", "PutObject", bucket, key);
  set_header(c.request, "If-None-Match", "*");
  set_memory_body(c, std::string(bytes), k_octet);
  c.accept_status = {412};
  return c;
}

Call get_object_call(const Addressing& a, const std::string& bucket, const std::string& key) {
  Call c = object_call(a, "GET", "GetObject", bucket, key);
  c.mode = PayloadMode::content_sha256_header;
  c.accept_status = {404};
  return c;
}

Call head_object_call(const Addressing& a, const std::string& bucket, const std::string& key) {
  Call c = object_call(a, "HEAD", "HeadObject", bucket, key);
  c.mode = PayloadMode::content_sha256_header;
  c.accept_status = {404};
  return c;
}

Call list_call(const Addressing& a, const std::string& bucket, const std::string& prefix,
               const std::string& continuation_token) {
  std::vector<QueryParam> q{{"list-type", "2"}};
  if (!prefix.empty()) q.push_back({"prefix", prefix});
  if (!continuation_token.empty()) q.push_back({"continuation-token", continuation_token});
  Call c = object_call(a, "GET", "ListObjectsV2", bucket, "", std::move(q));
  c.mode = PayloadMode::content_sha256_header;
  return c;
}

Call delete_object_call(const Addressing& a, const std::string& bucket, const std::string& key) {
  Call c = object_call(a, "DELETE", "DeleteObject", bucket, key);
  c.mode = PayloadMode::content_sha256_header;
  return c;
}

Call delete_objects_call(const Addressing& a, const std::string& bucket,
                         const std::vector<std::string>& keys) {
  Call c = object_call(a, "POST", "DeleteObjects", bucket, "", {{"delete", ""}});
  set_memory_body(c, delete_request_xml(keys), k_xml);  // Content-MD5 is required here
  return c;
}

Call copy_object_call(const Addressing& a, const std::string& bucket, const std::string& src_key,
                      const std::string& dst_key) {
  Call c = object_call(a, "PUT", "CopyObject", bucket, dst_key);
  c.subject = "'" + subject(bucket, src_key) + "' to '" + subject(bucket, dst_key) + "'";
  // As botocore quotes it: RFC 3986, '/' kept.
  set_header(c.request, "x-amz-copy-source", uri_encode(bucket + "/" + src_key, false));
  c.mode = PayloadMode::content_sha256_header;
  return c;
}

Call create_multipart_call(const Addressing& a, const std::string& bucket, const std::string& key,
                           std::string_view content_type) {
  Call c = object_call(a, "POST", "CreateMultipartUpload", bucket, key, {{"uploads", ""}});
  set_header(c.request, "Content-Type", content_type.empty() ? k_octet : std::string(content_type));
  c.mode = PayloadMode::content_sha256_header;
  return c;
}

Call upload_part_call(const Addressing& a, const std::string& bucket, const std::string& key,
                      const std::string& upload_id, int part_number, const FileBody& body) {
  Call c = object_call(a, "PUT", "UploadPart", bucket, key,
                       {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}});
  c.subject += " part " + std::to_string(part_number);
  set_file_body(c, body);
  return c;
}

Call complete_multipart_call(const Addressing& a, const std::string& bucket,
                             const std::string& key, const std::string& upload_id,
                             const std::vector<std::string>& part_etags) {
  Call c = object_call(a, "POST", "CompleteMultipartUpload", bucket, key,
                       {{"uploadId", upload_id}});
  set_memory_body(c, complete_request_xml(part_etags), k_xml);
  return c;
}

Call abort_multipart_call(const Addressing& a, const std::string& bucket, const std::string& key,
                          const std::string& upload_id) {
  Call c = object_call(a, "DELETE", "AbortMultipartUpload", bucket, key, {{"uploadId", upload_id}});
  c.mode = PayloadMode::content_sha256_header;
  c.accept_status = {404};  // NoSuchUpload: already gone
  return c;
}

// --- S3Client -----------------------------------------------------------------

S3Client::S3Client(std::shared_ptr<Client> client) : client_(std::move(client)) {}

const Addressing& S3Client::addressing() {
  std::call_once(addressing_once_, [this] {
    addressing_.region = client_->region().value;
    addressing_.endpoint = client_->endpoint("s3");
  });
  return addressing_;
}

namespace {

std::string no_such_bucket_hint(const std::string& bucket) {
  return "create the bucket ('aws s3 mb s3://" + bucket +
         "'), or check --bucket / HO_BUCKET and the region";
}

}  // namespace

HttpResponse S3Client::send(const Call& call, const std::string& bucket) {
  try {
    return client_->call(call);
  } catch (const AwsError& e) {
    if (e.code() == "NoSuchBucket" && e.hint().empty()) {
      throw AwsError(e.what(), no_such_bucket_hint(bucket), e.code(), e.status());
    }
    throw;
  }
}

ObjectMeta S3Client::put_object(const std::string& bucket, const std::string& key,
                                const FileBody& body, std::string_view content_type) {
  HttpResponse r = send(put_object_call(addressing(), bucket, key, body, content_type), bucket);
  ObjectMeta m = meta_from_headers(key, r);
  m.size = body.length;
  m.content_type = content_type;
  return m;
}

bool S3Client::put_if_absent(const std::string& bucket, const std::string& key,
                             std::string_view bytes) {
  HttpResponse r = send(put_if_absent_call(addressing(), bucket, key, bytes), bucket);
  if (r.status != 412) return true;
  // A retried PUT (ours, or libcurl's own on a reused connection, which we
  // never see) meets the object an earlier attempt wrote when that attempt's
  // answer was lost: the object is ours if it holds our bytes (callers put
  // unique bytes: the lease names host, pid and time).
  std::string held;
  auto meta = get_object(
      bucket, key,
      [&held](const char* d, size_t n) {
        held.append(d, n);
        return true;
      },
      [&held] { held.clear(); });
  return meta && held == bytes;
}

std::optional<ObjectMeta> S3Client::get_object(
    const std::string& bucket, const std::string& key,
    const std::function<bool(const char*, size_t)>& sink, const std::function<void()>& on_attempt) {
  Call c = get_object_call(addressing(), bucket, key);
  c.on_body = sink;
  c.on_attempt = on_attempt;
  HttpResponse r = send(c, bucket);
  if (r.status == 404) {
    std::optional<ErrorBody> e = parse_error(r.body);
    if (e && e->code == "NoSuchBucket") {
      throw AwsError("GetObject on '" + subject(bucket, key) + "' failed: NoSuchBucket: " +
                         e->message,
                     no_such_bucket_hint(bucket), e->code, 404);
    }
    return std::nullopt;
  }
  return meta_from_headers(key, r);
}

std::optional<ObjectMeta> S3Client::head_object(const std::string& bucket,
                                                const std::string& key) {
  HttpResponse r = send(head_object_call(addressing(), bucket, key), bucket);
  if (r.status == 404) return std::nullopt;
  return meta_from_headers(key, r);
}

std::vector<ObjectMeta> S3Client::list_all(const std::string& bucket, const std::string& prefix) {
  std::vector<ObjectMeta> out;
  std::string token;
  for (;;) {
    HttpResponse r = send(list_call(addressing(), bucket, prefix, token), bucket);
    ListPage page = parse_list_page(r.body);
    for (ObjectMeta& m : page.objects) out.push_back(std::move(m));
    if (!page.truncated) break;
    if (page.next_token == token) {
      throw Error("ListObjectsV2 on bucket 's3://" + bucket +
                  "' returned the same continuation token twice");
    }
    token = std::move(page.next_token);
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectMeta& x, const ObjectMeta& y) { return x.key < y.key; });
  return out;
}

void S3Client::delete_object(const std::string& bucket, const std::string& key) {
  send(delete_object_call(addressing(), bucket, key), bucket);
}

void S3Client::delete_objects(const std::string& bucket, const std::vector<std::string>& keys) {
  for (size_t i = 0; i < keys.size(); i += k_delete_batch) {
    std::vector<std::string> batch(keys.begin() + static_cast<std::ptrdiff_t>(i),
                                   keys.begin() + static_cast<std::ptrdiff_t>(
                                                      std::min(keys.size(), i + k_delete_batch)));
    HttpResponse r = send(delete_objects_call(addressing(), bucket, batch), bucket);
    std::vector<DeleteFailure> failed = parse_delete_failures(r.body);
    if (!failed.empty()) {
      const DeleteFailure& f = failed.front();
      std::string more =
          failed.size() > 1 ? " (and " + std::to_string(failed.size() - 1) + " more)" : "";
      throw AwsError("DeleteObjects on '" + subject(bucket, f.key) + "' failed: " + f.code + ": " +
                         f.message + more,
                     "", f.code, r.status);
    }
  }
}

std::string S3Client::copy_object(const std::string& bucket, const std::string& src_key,
                                  const std::string& dst_key) {
  Call c = copy_object_call(addressing(), bucket, src_key, dst_key);
  HttpResponse r = send(c, bucket);
  return parse_copy_etag(r.body, c.subject);
}

// An attempt of CreateMultipartUpload whose answer was lost (reset, stall,
// cut) may still have opened an upload that nobody knows the id of, and S3
// would keep its parts forever. libcurl even retries a request on a reused
// connection that died by itself, unseen by the client's retry loop. So
// after every create the key's other open uploads are aborted (one listing
// per upload of 16 MiB or more): a concurrent upload of the same key by
// someone else then fails cleanly, which beats parts left behind.
std::string S3Client::create_multipart(const std::string& bucket, const std::string& key,
                                       std::string_view content_type) {
  std::string id;
  try {
    id = parse_upload_id(
        send(create_multipart_call(addressing(), bucket, key, content_type), bucket).body);
  } catch (...) {
    abort_others(bucket, key, "");
    throw;
  }
  abort_others(bucket, key, id);
  return id;
}

void S3Client::abort_others(const std::string& bucket, const std::string& key,
                            const std::string& keep) noexcept {
  try {
    Call c = object_call(addressing(), "GET", "ListMultipartUploads", bucket, "",
                         {{"prefix", key}, {"uploads", ""}});
    c.mode = PayloadMode::content_sha256_header;
    HttpResponse r = send(c, bucket);
    pugi::xml_document doc;
    if (!doc.load_buffer(r.body.data(), r.body.size())) return;
    for (pugi::xpath_node u : doc.select_nodes("//*[local-name()='Upload']")) {
      std::string k = u.node().select_node("*[local-name()='Key']").node().text().get();
      std::string id = u.node().select_node("*[local-name()='UploadId']").node().text().get();
      if (k == key && !id.empty() && id != keep) abort_multipart(bucket, key, id);
    }
  } catch (...) {
    // Best effort, like abort_multipart.
  }
}

ObjectMeta S3Client::upload_part(const std::string& bucket, const std::string& key,
                                 const std::string& upload_id, int part_number,
                                 const FileBody& body) {
  HttpResponse r =
      send(upload_part_call(addressing(), bucket, key, upload_id, part_number, body), bucket);
  ObjectMeta m = meta_from_headers(key, r);
  m.size = body.length;
  return m;
}

std::string S3Client::complete_multipart(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id,
                                         const std::vector<std::string>& part_etags) {
  Call c = complete_multipart_call(addressing(), bucket, key, upload_id, part_etags);
  HttpResponse r = send(c, bucket);
  return parse_complete_etag(r.body, c.subject);
}

void S3Client::abort_multipart(const std::string& bucket, const std::string& key,
                               const std::string& upload_id) noexcept {
  // A few rounds of the client's retries: an abort runs because something
  // already went wrong, often a flaky network, and an upload left open keeps
  // its parts (and their bill) until a lifecycle rule removes them.
  for (int pass = 0; pass < 3; ++pass) {
    try {
      client_->call(abort_multipart_call(addressing(), bucket, key, upload_id));
      return;
    } catch (...) {
      // Nothing more to do after the last round: a lifecycle rule
      // (AbortIncompleteMultipartUpload) is the backstop.
    }
  }
}

}  // namespace handoff::aws::s3
