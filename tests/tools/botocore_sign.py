#!/usr/bin/env python3
"""Sign a request with botocore's SigV4 signer: the judge of src/aws/sigv4.cc.

Reads one JSON request (or a JSON list of them) on stdin, prints one JSON
result (or a list) on stdout.

Request fields:
  method            "GET", "PUT", ...
  url               the full URL as sent, already percent-encoded; or instead
  endpoint, path, query
                    endpoint "http://127.0.0.1:5000", path decoded ("/b/my key"),
                    query a list of [key, value] pairs, decoded. The URL is then
                    built the way botocore's serializer builds it: the path with
                    percent_encode(path, safe='/~') (a greedy {Key+} label), the
                    query with percent_encode_sequence, in the given order.
  headers           list of [name, value] pairs (or an object)
  body              base64 of the body
  region, service, access_key, secret_key, token (may be empty)
  timestamp         "20261128T120000Z"
  s3                true: S3SigV4Auth, else SigV4Auth
  unsigned_payload  true: payload signing disabled (UNSIGNED-PAYLOAD)

Result: {url, canonical_request, string_to_sign, signature, authorization,
headers}, headers being every header of the signed request (lower-cased names).

The clock: SigV4Auth.add_auth() reads the time itself
(botocore.auth.get_current_datetime in 1.3x/1.4x, datetime.datetime.utcnow()
before). We run add_auth's steps ourselves with request.context['timestamp']
pinned, then check that add_auth with the clock patched gives the same
Authorization header, so a change in botocore's internals fails loudly rather
than silently comparing against something else.
"""

import base64
import copy
import datetime
import json
import sys
from unittest import mock

import botocore
import botocore.auth
import botocore.config
import botocore.credentials
from botocore.awsrequest import AWSRequest
from botocore.utils import percent_encode, percent_encode_sequence

TIMESTAMP_FORMAT = '%Y%m%dT%H%M%SZ'


def build_url(spec):
    if 'url' in spec:
        return spec['url']
    url = spec['endpoint'].rstrip('/') + percent_encode(spec['path'], safe='/~')
    query = spec.get('query') or []
    if query:
        url += '?' + percent_encode_sequence([tuple(p) for p in query])
    return url


def make_request(spec, url):
    body = base64.b64decode(spec.get('body') or '')
    request = AWSRequest(method=spec['method'], url=url, data=body)
    headers = spec.get('headers') or []
    if isinstance(headers, dict):
        headers = list(headers.items())
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders appends: repeats are kept
    if spec.get('unsigned_payload'):
        if spec.get('s3'):
            request.context['client_config'] = botocore.config.Config(
                s3={'payload_signing_enabled': False}
            )
        else:
            request.context['payload_signing_enabled'] = False
    return request


def make_signer(spec):
    creds = botocore.credentials.Credentials(
        spec['access_key'], spec['secret_key'], spec.get('token') or None
    )
    cls = botocore.auth.S3SigV4Auth if spec.get('s3') else botocore.auth.SigV4Auth
    return cls(creds, spec['service'], spec['region'])


def sign_one(spec):
    url = build_url(spec)
    timestamp = spec['timestamp']
    signer = make_signer(spec)

    # add_auth's steps, with the timestamp pinned.
    request = make_request(spec, url)
    request.context['timestamp'] = timestamp
    signer._modify_request_before_signing(request)
    canonical_request = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical_request)
    signature = signer.signature(string_to_sign, request)
    signer._inject_signature_to_request(request, signature)

    # The public path, with the clock patched, must agree.
    pinned = datetime.datetime.strptime(timestamp, TIMESTAMP_FORMAT)
    check = make_request(spec, url)
    if hasattr(botocore.auth, 'get_current_datetime'):
        patch = mock.patch.object(botocore.auth, 'get_current_datetime', lambda *a, **k: pinned)
    else:
        fake = mock.MagicMock(wraps=datetime)
        fake.datetime.utcnow.return_value = pinned
        fake.datetime.strptime = datetime.datetime.strptime
        patch = mock.patch.object(botocore.auth, 'datetime', fake)
    with patch:
        make_signer(spec).add_auth(check)
    if check.headers['Authorization'] != request.headers['Authorization']:
        raise SystemExit(
            'botocore_sign.py: add_auth disagrees with the pinned-timestamp steps '
            f"(botocore {botocore.__version__}): {check.headers['Authorization']!r} "
            f"vs {request.headers['Authorization']!r}"
        )

    return {
        'url': url,
        'canonical_request': canonical_request,
        'string_to_sign': string_to_sign,
        'signature': signature,
        'authorization': request.headers['Authorization'],
        'headers': {k.lower(): v for k, v in request.headers.items()},
    }


def main():
    spec = json.load(sys.stdin)
    if isinstance(spec, list):
        result = [sign_one(s) for s in spec]
    else:
        result = sign_one(spec)
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
