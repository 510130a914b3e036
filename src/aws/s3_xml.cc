// S3's XML bodies (pugixml) and the small formats around them: ETags,
// base64, S3's two time formats.
#include <openssl/evp.h>
#include <time.h>

#include <cctype>
#include <cstdio>
#include <pugixml.hpp>

#include "aws/s3.h"
#include "util/error.h"

namespace handoff::aws::s3 {

namespace {

pugi::xml_document parse(std::string_view xml, std::string_view what) {
  pugi::xml_document doc;
  pugi::xml_parse_result r = doc.load_buffer(xml.data(), xml.size());
  if (!r) {
    throw Error("malformed " + std::string(what) + " from S3: " + r.description() + " at byte " +
                std::to_string(r.offset));
  }
  return doc;
}

std::string text(const pugi::xml_node& parent, const char* name) {
  return parent.child(name).text().as_string();
}

void throw_if_error(const pugi::xml_document& doc, std::string_view operation,
                    const std::string& subject_name) {
  pugi::xml_node e = doc.child("Error");
  if (!e) return;
  std::string code = text(e, "Code");
  // A 200 with an <Error> body (CompleteMultipartUpload, CopyObject): S3
  // documents that it can happen after the response headers went out.
  throw AwsError(std::string(operation) + " on " + subject_name + " failed: " + code + ": " +
                     text(e, "Message"),
                 "", code, 200);
}

}  // namespace

ListPage parse_list_page(std::string_view xml) {
  pugi::xml_document doc = parse(xml, "ListObjectsV2 result");
  pugi::xml_node root = doc.child("ListBucketResult");
  if (!root) throw Error("malformed ListObjectsV2 result from S3: no ListBucketResult");
  ListPage page;
  for (pugi::xml_node c : root.children("Contents")) {
    ObjectMeta m;
    m.key = text(c, "Key");
    m.size = c.child("Size").text().as_ullong();
    m.etag = normalize_etag(text(c, "ETag"));
    if (auto t = parse_iso8601(text(c, "LastModified"))) m.last_modified = *t;
    page.objects.push_back(std::move(m));
  }
  page.truncated = std::string_view(root.child("IsTruncated").text().as_string()) == "true";
  page.next_token = text(root, "NextContinuationToken");
  if (page.truncated && page.next_token.empty()) {
    throw Error("malformed ListObjectsV2 result from S3: truncated without NextContinuationToken");
  }
  return page;
}

std::string parse_upload_id(std::string_view xml) {
  pugi::xml_document doc = parse(xml, "CreateMultipartUpload result");
  std::string id = text(doc.child("InitiateMultipartUploadResult"), "UploadId");
  if (id.empty()) throw Error("malformed CreateMultipartUpload result from S3: no UploadId");
  return id;
}

std::string parse_complete_etag(std::string_view xml, const std::string& subject_name) {
  pugi::xml_document doc = parse(xml, "CompleteMultipartUpload result");
  throw_if_error(doc, "CompleteMultipartUpload", subject_name);
  // Any root: moto says CompleteMultipartUploadResponse where S3 says …Result.
  std::string etag = text(doc.document_element(), "ETag");
  if (etag.empty()) throw Error("malformed CompleteMultipartUpload result from S3: no ETag");
  return normalize_etag(etag);
}

std::string parse_copy_etag(std::string_view xml, const std::string& subject_name) {
  pugi::xml_document doc = parse(xml, "CopyObject result");
  throw_if_error(doc, "CopyObject", subject_name);
  return normalize_etag(text(doc.document_element(), "ETag"));
}

std::vector<DeleteFailure> parse_delete_failures(std::string_view xml) {
  pugi::xml_document doc = parse(xml, "DeleteObjects result");
  std::vector<DeleteFailure> out;
  for (pugi::xml_node e : doc.child("DeleteResult").children("Error")) {
    out.push_back({text(e, "Key"), text(e, "Code"), text(e, "Message")});
  }
  return out;
}

std::optional<ErrorBody> parse_error(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return std::nullopt;
  pugi::xml_node e = doc.child("Error");
  if (!e) return std::nullopt;
  return ErrorBody{text(e, "Code"), text(e, "Message")};
}

namespace {

std::string to_xml(const pugi::xml_document& doc) {
  struct Writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, size_t size) override {
      out.append(static_cast<const char*>(data), size);
    }
  } w;
  doc.save(w, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return w.out;
}

}  // namespace

std::string delete_request_xml(const std::vector<std::string>& keys) {
  pugi::xml_document doc;
  pugi::xml_node del = doc.append_child("Delete");
  del.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  del.append_child("Quiet").text() = "true";
  for (const std::string& k : keys) {
    del.append_child("Object").append_child("Key").text() = k.c_str();
  }
  return to_xml(doc);
}

std::string complete_request_xml(const std::vector<std::string>& part_etags) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  for (size_t i = 0; i < part_etags.size(); ++i) {
    pugi::xml_node p = root.append_child("Part");
    p.append_child("PartNumber").text() = static_cast<unsigned long long>(i + 1);
    p.append_child("ETag").text() = ("\"" + part_etags[i] + "\"").c_str();
  }
  return to_xml(doc);
}

std::string normalize_etag(std::string_view etag) {
  // Weak form (W/"…") from some S3-compatible stores, then the quotes.
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  std::string out(etag);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(4 * ((bytes.size() + 2) / 3));
  size_t i = 0;
  auto at = [&](size_t j) { return static_cast<unsigned char>(bytes[j]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += k_alphabet[(v >> 18) & 63];
    out += k_alphabet[(v >> 12) & 63];
    out += k_alphabet[(v >> 6) & 63];
    out += k_alphabet[v & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t v = at(i) << 16;
    if (rest == 2) v |= at(i + 1) << 8;
    out += k_alphabet[(v >> 18) & 63];
    out += k_alphabet[(v >> 12) & 63];
    out += rest == 2 ? k_alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string content_md5(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_md5(), nullptr) != 1) {
    throw Error("cannot compute MD5 (OpenSSL)");
  }
  return base64(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::optional<TimePoint> parse_iso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  struct tm tm {};
  int consumed = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  std::string_view rest = s.substr(static_cast<size_t>(consumed));
  std::chrono::microseconds frac{0};
  if (rest.starts_with(".")) {
    rest.remove_prefix(1);
    int64_t scale = 100000;
    while (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front()))) {
      frac += std::chrono::microseconds((rest.front() - '0') * scale);
      scale /= 10;
      rest.remove_prefix(1);
    }
  }
  if (rest != "Z" && rest != "+00:00") return std::nullopt;
  // system_clock counts nanoseconds: years past 2262 overflow it.
  if (tm.tm_year < 1900 || tm.tm_year > 2200) return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t t = timegm(&tm);
  return std::chrono::system_clock::from_time_t(t) + frac;
}

std::optional<TimePoint> parse_http_date(std::string_view s) {
  struct tm tm {};
  std::string str(s);
  const char* end = strptime(str.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  if (tm.tm_year < 0 || tm.tm_year > 300) return std::nullopt;  // 1900..2200, as above
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace handoff::aws::s3
