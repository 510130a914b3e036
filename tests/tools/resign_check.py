#!/usr/bin/env python3
"""Re-sign recorded requests with botocore and compare signatures.

The judge of every request handoff sends on its way to moto (moto accepts any
signature by default, so only botocore can say whether ours is right).

    resign_check.py requests.jsonl --secret-key testing [--key AKID=SECRET ...]

Input: JSON lines as tests/e2e/recording_proxy.py writes them (method, target,
headers, body_b64 or body_sha256). For each request:

  1. Parse Authorization (AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/
     aws4_request, SignedHeaders=..., Signature=...). The secret comes from
     --key AKID=SECRET, else --secret-key.
  2. Rebuild a botocore AWSRequest: same method, URL http://<Host><target>,
     the headers named in SignedHeaders (the HTTP library adds others, such as
     Content-Length or Accept, after signing; unsigned x-amz-* headers are
     reported as failures, since AWS requires them signed), the body.
     X-Amz-Security-Token is passed as the credentials' token.
  3. Sign with S3SigV4Auth when the scope's service is "s3", else SigV4Auth,
     with request.context['timestamp'] = the recorded X-Amz-Date, running
     add_auth's steps (as tests/tools/botocore_sign.py does) and checking that
     the public add_auth with the clock patched agrees.
  4. Compare: signature, SignedHeaders list, credential scope date vs
     X-Amz-Date, X-Amz-Content-Sha256 vs the SHA-256 of the bytes the proxy saw
     (unless it declares UNSIGNED-PAYLOAD / STREAMING-*), and that path and
     query are already in canonical percent-encoding (botocore takes them as
     sent, AWS re-canonicalizes).

Bodies of 1 MiB and more are not recorded; their payload hash is the one the
proxy measured. Prints one line per request (and the canonical requests of a
failing one with -v); exits 1 on any mismatch, 2 on bad input.

Importable: check_records(records, keys, default_secret) -> [Result].
"""
import argparse
import base64
import datetime
import hashlib
import json
import re
import sys
import urllib.parse
from unittest import mock

import botocore
import botocore.auth
import botocore.config
import botocore.credentials
from botocore.awsrequest import AWSRequest

TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<akid>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request,\s*SignedHeaders=(?P<signed>[^,\s]+),\s*"
    r"Signature=(?P<sig>[0-9a-f]{64})$")
DECLARED_PAYLOADS = ("UNSIGNED-PAYLOAD", "STREAMING-")
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


class Result:
    def __init__(self, rec):
        self.seq = rec.get("seq")
        self.method = rec.get("method")
        self.target = rec.get("target")
        self.operation = describe_operation(rec)
        self.problems = []
        self.notes = []
        self.ours = None      # our canonical request, when botocore ran
        self.recorded_sig = None
        self.botocore_sig = None

    @property
    def ok(self):
        return not self.problems

    def line(self):
        status = "ok  " if self.ok else "FAIL"
        s = "%s #%s %s %s [%s]" % (status, self.seq, self.method, self.target, self.operation)
        if self.problems:
            s += ": " + "; ".join(self.problems)
        return s


def describe_operation(rec):
    headers = {k.lower(): v for k, v in rec.get("headers", [])}
    if "x-amz-target" in headers:
        return headers["x-amz-target"]
    body = _body(rec)
    if body and "application/x-www-form-urlencoded" in headers.get("content-type", ""):
        form = urllib.parse.parse_qs(body.decode(errors="replace"))
        if "Action" in form:
            return form["Action"][0]
    m = AUTH_RE.match(headers.get("authorization", ""))
    return m.group("service") if m else "unsigned"


def _body(rec):
    if "body_b64" in rec:
        return base64.b64decode(rec["body_b64"])
    return None


def _is_canonical_component(s, safe):
    """True when s is percent-encoded the way SigV4 canonicalizes it."""
    try:
        decoded = urllib.parse.unquote(s, errors="strict")
    except UnicodeDecodeError:
        return False
    return urllib.parse.quote(decoded, safe=UNRESERVED + safe) == s


def encoding_problems(target, s3):
    problems = []
    path, _, query = target.partition("?")
    # S3 keys are encoded once with '/' kept; other services' paths are
    # normalised by botocore itself, checked the same way here.
    if not _is_canonical_component(path, "/"):
        problems.append("path %r is not in canonical percent-encoding" % path)
    if query:
        for pair in query.split("&"):
            k, _, v = pair.partition("=")
            for part in (k, v):
                if not _is_canonical_component(part, ""):
                    problems.append("query component %r is not in canonical percent-encoding"
                                    % part)
    return problems


def _make_request(method, url, headers, body, declared_payload, s3):
    request = AWSRequest(method=method, url=url, data=body)
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders appends: repeats are kept
    if s3 and declared_payload == "UNSIGNED-PAYLOAD":
        request.context["client_config"] = botocore.config.Config(
            s3={"payload_signing_enabled": False})
    return request


def _make_signer(akid, secret, token, service, region, s3, payload_override):
    creds = botocore.credentials.Credentials(akid, secret, token or None)
    cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
    signer = cls(creds, service, region)
    if payload_override is not None:
        signer.payload = lambda request: payload_override
    return signer


def check_record(rec, keys, default_secret):
    res = Result(rec)
    headers = rec.get("headers") or []
    lower = {}
    for k, v in headers:
        lower.setdefault(k.lower(), v)
    if rec.get("error"):
        res.problems.append("the proxy could not forward it: %s" % rec["error"])
    auth = lower.get("authorization")
    if auth is None:
        res.problems.append("unsigned request (no Authorization header)")
        return res
    m = AUTH_RE.match(auth.strip())
    if not m:
        res.problems.append("Authorization header not understood: %r" % auth[:60])
        return res
    akid, service, region = m.group("akid"), m.group("service"), m.group("region")
    res.recorded_sig = m.group("sig")
    secret = keys.get(akid, default_secret)
    if secret is None:
        res.problems.append("no secret key given for %s" % akid)
        return res
    amz_date = lower.get("x-amz-date")
    if not amz_date:
        res.problems.append("no X-Amz-Date header")
        return res
    try:
        datetime.datetime.strptime(amz_date, TIMESTAMP_FORMAT)
    except ValueError:
        res.problems.append("X-Amz-Date %r is not YYYYMMDDTHHMMSSZ" % amz_date)
        return res
    if m.group("date") != amz_date[:8]:
        res.problems.append("credential scope date %s differs from X-Amz-Date %s"
                            % (m.group("date"), amz_date))
    host = lower.get("host")
    if not host:
        res.problems.append("no Host header")
        return res
    s3 = service == "s3"

    # Which headers were signed; all x-amz-* must be.
    signed = m.group("signed").split(";")
    if signed != sorted(signed) or len(set(signed)) != len(signed):
        res.problems.append("SignedHeaders %r not sorted/unique" % m.group("signed"))
    for required in ("host", "x-amz-date"):
        if required not in signed:
            res.problems.append("%s is not signed" % required)
    present = {k.lower() for k, _ in headers}
    for name in sorted(present):
        if name in ("authorization",):
            continue
        if name.startswith("x-amz-") and name not in signed:
            res.problems.append("header %s is sent but not signed" % name)
        elif name not in signed:
            res.notes.append("unsigned header %s" % name)
    for name in signed:
        if name not in present:
            res.problems.append("signed header %s is not in the request" % name)

    # Payload: what the proxy saw.
    measured = rec.get("body_sha256")
    declared = lower.get("x-amz-content-sha256")
    declared_mode = declared if declared and declared.startswith(DECLARED_PAYLOADS) else None
    if s3 and not declared:
        res.problems.append("S3 request without X-Amz-Content-Sha256")
    if declared and not declared_mode and measured and declared != measured:
        res.problems.append("X-Amz-Content-Sha256 %s is not the SHA-256 of the body sent (%s)"
                            % (declared, measured))
    body = _body(rec)
    payload_override = None
    if declared_mode:
        payload_override = declared_mode
    elif body is None:
        payload_override = measured  # large body: the proxy's measurement
        body = b""
    if body is not None and measured and hashlib.sha256(body).hexdigest() != measured \
            and payload_override is None:
        res.problems.append("recorded body does not match its recorded hash")

    res.problems.extend(encoding_problems(rec["target"], s3))

    keep = [(k, v) for k, v in headers if k.lower() in signed
            and k.lower() not in ("x-amz-security-token",)]
    token = lower.get("x-amz-security-token")
    url = "http://%s%s" % (host, rec["target"])

    # add_auth's steps with the recorded timestamp pinned.
    signer = _make_signer(akid, secret, token, service, region, s3, payload_override)
    request = _make_request(rec["method"], url, keep, body, declared_mode, s3)
    request.context["timestamp"] = amz_date
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    signature = signer.signature(string_to_sign, request)
    ours_signed = canonical.split("\n")[-2]  # the SignedHeaders line
    signer._inject_signature_to_request(request, signature)
    res.ours = canonical
    res.botocore_sig = signature

    # The public add_auth, clock patched, must agree (else botocore changed).
    pinned = datetime.datetime.strptime(amz_date, TIMESTAMP_FORMAT)
    check = _make_request(rec["method"], url, keep, body, declared_mode, s3)
    if hasattr(botocore.auth, "get_current_datetime"):
        patch = mock.patch.object(botocore.auth, "get_current_datetime",
                                  lambda *a, **k: pinned)
    else:
        fake = mock.MagicMock(wraps=datetime)
        fake.datetime.utcnow.return_value = pinned
        fake.datetime.strptime = datetime.datetime.strptime
        patch = mock.patch.object(botocore.auth, "datetime", fake)
    with patch:
        _make_signer(akid, secret, token, service, region, s3, payload_override).add_auth(check)
    if check.headers["Authorization"] != request.headers["Authorization"]:
        raise SystemExit("resign_check.py: add_auth disagrees with the pinned-timestamp steps "
                         "(botocore %s)" % botocore.__version__)

    if ours_signed != m.group("signed"):
        res.problems.append("botocore signs headers %s, the request listed %s"
                            % (ours_signed, m.group("signed")))
    if signature != res.recorded_sig:
        res.problems.append("signature differs (sent %s..., botocore %s...)"
                            % (res.recorded_sig[:16], signature[:16]))
    return res


def check_records(records, keys=None, default_secret=None):
    return [check_record(r, keys or {}, default_secret) for r in records]


def load_records(path):
    out = []
    f = sys.stdin if path == "-" else open(path)
    with f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise SystemExit("resign_check.py: %s:%d: not JSON: %s" % (path, n, e))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("records", help="JSON lines from recording_proxy.py ('-' for stdin)")
    ap.add_argument("--secret-key", help="secret key for any access key not given with --key")
    ap.add_argument("--key", action="append", default=[], metavar="AKID=SECRET",
                    help="secret key of one access key id (repeatable)")
    ap.add_argument("--allow-unsigned", action="store_true",
                    help="do not count requests without Authorization as failures")
    ap.add_argument("--min-requests", type=int, default=1,
                    help="fail when fewer requests were recorded (default 1)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print the canonical request of failing requests")
    args = ap.parse_args(argv)
    keys = {}
    for kv in args.key:
        akid, sep, secret = kv.partition("=")
        if not sep:
            ap.error("--key wants AKID=SECRET")
        keys[akid] = secret
    records = load_records(args.records)
    results = check_records(records, keys, args.secret_key)
    failed = 0
    for res in results:
        if args.allow_unsigned and res.problems == ["unsigned request (no Authorization header)"]:
            res.problems = []
            res.notes.append("unsigned (allowed)")
        print(res.line())
        if not res.ok:
            failed += 1
            if args.verbose and res.ours is not None:
                print("  botocore's canonical request:\n    "
                      + res.ours.replace("\n", "\n    "))
    print("%d request(s), %d signature(s) checked, %d failed (botocore %s)"
          % (len(results), sum(1 for r in results if r.botocore_sig), failed,
             botocore.__version__))
    if len(results) < args.min_requests:
        print("resign_check.py: only %d request(s) recorded, expected at least %d"
              % (len(results), args.min_requests))
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
