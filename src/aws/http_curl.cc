// The libcurl implementation of the HTTP seam. One easy handle per thread,
// kept between requests so its connection is reused (keep-alive): a transfer
// of 300 small files costs 300 requests, not 300 TCP handshakes.
//
// Every request body goes through CURLOPT_UPLOAD and our read callback, from
// memory or from a file slice, with the method set by CURLOPT_CUSTOMREQUEST:
// one path for PUT and POST, and curl never adds its form content type (a form
// content type on an S3 PUT hangs moto; see notes). curl's own "Accept" and
// "Expect" headers are removed, so what is signed is what is sent.
#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "aws/http.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/strings.h"
#include "util/version.h"

namespace handoff::aws {
namespace {

struct Transfer {
  const HttpRequest* req = nullptr;
  HttpResponse* resp = nullptr;
  CURL* curl = nullptr;
  // request body
  int fd = -1;
  uint64_t sent = 0;
  uint64_t total = 0;
  bool aborted = false;
};

size_t read_body(char* buf, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t want = std::min<uint64_t>(size * n, t->total - t->sent);
  if (want == 0) return 0;
  size_t got = 0;
  if (t->fd >= 0) {
    for (;;) {
      ssize_t r = ::pread(t->fd, buf, want, static_cast<off_t>(t->req->body_offset + t->sent));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return CURL_READFUNC_ABORT;  // the file shrank or broke under us
      got = static_cast<size_t>(r);
      break;
    }
  } else {
    std::memcpy(buf, t->req->body.data() + t->sent, want);
    got = want;
  }
  t->sent += got;
  if (t->req->on_upload) t->req->on_upload(got);
  return got;
}

size_t write_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (t->req->on_body && status >= 200 && status < 300) {
    if (!t->req->on_body(data, len)) {
      t->aborted = true;
      return 0;
    }
    return len;
  }
  t->resp->body.append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {
    t->resp->headers.clear();  // a new status line (after 100 Continue)
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name = util::to_lower(util::trim(line.substr(0, colon)));
  std::string value(util::trim(line.substr(colon + 1)));
  t->resp->headers.push_back({std::move(name), std::move(value)});
  return len;
}

// The host of a URL for messages (never the query: it may carry a signature).
std::string host_of(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

class CurlClient : public HttpClient {
 public:
  CurlClient() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  HttpResponse send(const HttpRequest& req) override {
    thread_local struct Handle {
      CURL* curl = curl_easy_init();
      ~Handle() { curl_easy_cleanup(curl); }
    } handle;
    CURL* curl = handle.curl;
    if (curl == nullptr) throw TransportError{TransportError::Kind::io, "curl_easy_init failed"};
    curl_easy_reset(curl);  // keeps the connection cache

    HttpResponse resp;
    Transfer t;
    t.req = &req;
    t.resp = &resp;
    t.curl = curl;
    util::UniqueFd file;
    const bool has_body = !req.body_file.empty() || !req.body.empty() || req.method == "PUT" ||
                          req.method == "POST";
    if (!req.body_file.empty()) {
      file.reset(::open(req.body_file.c_str(), O_RDONLY | O_CLOEXEC));
      if (!file.valid()) {
        throw Error("cannot read " + util::quote(req.body_file.string()) + ": " +
                    util::errno_text(errno));
      }
      t.fd = file.fd();
      t.total = req.body_length;
    } else {
      t.total = req.body.size();
    }

    curl_slist* headers = nullptr;
    for (const auto& h : req.headers) {
      std::string line = h.name + ": " + h.value;
      headers = curl_slist_append(headers, line.c_str());
    }
    headers = curl_slist_append(headers, "Accept:");
    headers = curl_slist_append(headers, "Expect:");

    curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    const std::string agent = std::string("handoff/") + k_version;
    curl_easy_setopt(curl, CURLOPT_USERAGENT, agent.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout * 1000));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(std::max(1.0, req.stall_timeout)));
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (req.method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (has_body) {
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_body);
      curl_easy_setopt(curl, CURLOPT_READDATA, &t);
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.total));
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    } else if (req.method != "GET") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }

    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      TransportError e{TransportError::Kind::io, ""};
      if (t.aborted) {
        e.kind = TransportError::Kind::aborted;
      } else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
        e.kind = TransportError::Kind::connect;
      } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        e.kind = TransportError::Kind::timeout;
      }
      e.message = std::string(curl_easy_strerror(rc)) + " (" + host_of(req.url) + ")";
      throw e;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    resp.status = static_cast<int>(status);
    return resp;
  }
};

}  // namespace

std::string HttpResponse::header(std::string_view lower_name) const {
  for (const auto& h : headers) {
    if (h.name == lower_name) return h.value;
  }
  return {};
}

std::shared_ptr<HttpClient> make_curl_client() { return std::make_shared<CurlClient>(); }

}  // namespace handoff::aws
