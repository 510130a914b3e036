// S3's XML bodies and small formats (src/aws/s3_xml.cc): every parser gets
// the same bytes, as any of them may receive any body from a broken or
// hostile endpoint. AwsError (an <Error> body in a 200) is a handoff::Error.
#include "aws/s3.h"
#include "fuzz_util.h"

using namespace handoff;
namespace s3 = handoff::aws::s3;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::reset_process_state();
  std::string_view xml = fuzz::as_view(data, size);
  fuzz::expect_clean([&] {
    s3::ListPage page = s3::parse_list_page(xml);
    if (page.truncated && page.next_token.empty()) {
      std::fprintf(stderr, "fuzz: a truncated page without a token was accepted\n");
      std::abort();
    }
  });
  fuzz::expect_clean([&] { s3::parse_upload_id(xml); });
  fuzz::expect_clean([&] { s3::parse_complete_etag(xml, "s3://b/k"); });
  fuzz::expect_clean([&] { s3::parse_copy_etag(xml, "s3://b/k"); });
  fuzz::expect_clean([&] { s3::parse_delete_failures(xml); });
  fuzz::expect_clean([&] { s3::parse_error(xml); });
  // The small formats, on a prefix short enough to be a header value.
  std::string_view head = xml.substr(0, std::min<size_t>(xml.size(), 64));
  s3::parse_iso8601(head);
  s3::parse_http_date(head);
  s3::normalize_etag(head);
  return 0;
}
