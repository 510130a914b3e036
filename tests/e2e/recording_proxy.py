"""A recording HTTP forward proxy on 127.0.0.1 (Python 3 stdlib only).

A client uses it as its endpoint (AWS_ENDPOINT_URL=proxy.url); every request
is forwarded unchanged (method, request target, headers in order, body) to the
upstream (moto_server), the answer is relayed back, and a record is kept so a
test can re-sign the request with botocore (tests/tools/resign_check.py) or
check what was sent:

    with RecordingProxy(moto.endpoint) as proxy:
        run_client(AWS_ENDPOINT_URL=proxy.url)
        proxy.dump("requests.jsonl")      # JSON lines, one request each
        proxy.records()                   # the same, as dicts

A record: {"seq", "method", "target" (raw path+query as received), "version",
"headers" ([[name, value], ...] in order, as received), "body_size",
"body_sha256" (hex), "body_b64" (only when body_size < 1 MiB), "status",
"response_headers", "error" (set when the upstream could not be reached)}.

Bounds: bodies stream through in 64 KiB chunks (at most 1 MiB per request is
kept), at most max_records records are kept (later ones are counted in
.dropped), and stop() closes every connection and joins the server thread.
"""
import base64
import hashlib
import http.client
import http.server
import json
import socket
import threading
import urllib.parse

CHUNK = 64 * 1024
KEEP_BODY_BELOW = 1024 * 1024
# Hop-by-hop response headers: the proxy frames its own answer.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # an idle keep-alive connection ends after this

    def log_message(self, fmt, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.server.proxy._track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.proxy._track(self.connection, False)

    # BaseHTTPRequestHandler answers "Expect: 100-continue" itself (HTTP/1.1)
    # before do_* runs; the header is still forwarded as received.
    def _any(self):
        self.server.proxy._forward(self)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _any


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class RecordingProxy:
    def __init__(self, upstream, max_records=100000, upstream_timeout=300):
        u = urllib.parse.urlsplit(upstream)
        if u.scheme != "http":
            raise ValueError("upstream must be http://host:port, got %r" % upstream)
        self.upstream_host = u.hostname
        self.upstream_port = u.port or 80
        self.upstream_timeout = upstream_timeout
        self.max_records = max_records
        self.dropped = 0
        self._records = []
        self._lock = threading.Lock()
        self._conns = set()
        self._seq = 0
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="recording-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    # ----- records ---------------------------------------------------------
    def records(self):
        with self._lock:
            return [dict(r) for r in self._records]

    def clear(self):
        with self._lock:
            self._records.clear()
            self.dropped = 0

    def dump(self, path):
        """Write the records as JSON lines; returns how many."""
        recs = self.records()
        with open(path, "w") as f:
            for r in recs:
                f.write(json.dumps(r) + "\n")
        return len(recs)

    # ----- lifecycle -------------------------------------------------------
    def stop(self):
        """Stop serving, close open client connections, join the thread. Idempotent."""
        if self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _track(self, conn, add):
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    # ----- forwarding ------------------------------------------------------
    def _forward(self, h):
        with self._lock:
            self._seq += 1
            seq = self._seq
        headers = [[k, v] for k, v in h.headers.items()]
        rec = {"seq": seq, "method": h.command, "target": h.path,
               "version": h.request_version, "headers": headers}
        lower = {k.lower(): v for k, v in headers}
        chunked = "chunked" in lower.get("transfer-encoding", "").lower()
        length = None if chunked else int(lower.get("content-length", "0") or 0)

        digest = hashlib.sha256()
        kept = bytearray()
        size = 0

        def note(data):
            nonlocal size
            digest.update(data)
            if size < KEEP_BODY_BELOW:
                kept.extend(data[:KEEP_BODY_BELOW - size])
            size += len(data)

        up = http.client.HTTPConnection(self.upstream_host, self.upstream_port,
                                        timeout=self.upstream_timeout)
        try:
            try:
                up.putrequest(h.command, h.path, skip_host=True, skip_accept_encoding=True)
                for k, v in headers:
                    up.putheader(k, v)
                up.endheaders()
                if chunked:
                    for data in _read_chunked(h.rfile):
                        note(data)
                        up.send(b"%x\r\n%s\r\n" % (len(data), data))
                    up.send(b"0\r\n\r\n")
                else:
                    left = length
                    while left > 0:
                        data = h.rfile.read(min(CHUNK, left))
                        if not data:
                            raise ConnectionError("client closed with %d body bytes unsent" % left)
                        note(data)
                        up.send(data)
                        left -= len(data)
                resp = up.getresponse()
            except (OSError, http.client.HTTPException, ValueError) as e:
                rec["error"] = "%s: %s" % (type(e).__name__, e)
                self._finish_record(rec, digest, kept, size)
                try:
                    h.send_error(502, "recording proxy: upstream failed: %s" % e)
                except OSError:
                    pass
                h.close_connection = True
                return
            rec["status"] = resp.status
            rec["response_headers"] = [[k, v] for k, v in resp.getheaders()]
            self._finish_record(rec, digest, kept, size)
            self._relay(h, resp)
        finally:
            up.close()

    def _finish_record(self, rec, digest, kept, size):
        rec["body_size"] = size
        rec["body_sha256"] = digest.hexdigest()
        if size < KEEP_BODY_BELOW:
            rec["body_b64"] = base64.b64encode(bytes(kept)).decode()
        with self._lock:
            if len(self._records) < self.max_records:
                self._records.append(rec)
            else:
                self.dropped += 1

    @staticmethod
    def _relay(h, resp):
        h.send_response_only(resp.status, resp.reason)
        clen = None
        for k, v in resp.getheaders():
            if k.lower() in HOP_BY_HOP:
                continue
            if k.lower() == "content-length":
                clen = v
            h.send_header(k, v)
        no_body = h.command == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200
        stream_chunked = clen is None and not no_body
        if stream_chunked:
            h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        if no_body:
            resp.read()
            return
        while True:
            data = resp.read(CHUNK)
            if not data:
                break
            if stream_chunked:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            else:
                h.wfile.write(data)
        if stream_chunked:
            h.wfile.write(b"0\r\n\r\n")
        h.wfile.flush()


def _read_chunked(rfile):
    """Yield the data of a chunked request body (trailers are read and dropped)."""
    while True:
        line = rfile.readline(65537)
        if not line:
            raise ConnectionError("client closed inside a chunked body")
        size = int(line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while True:  # trailers up to the empty line
                t = rfile.readline(65537)
                if t in (b"\r\n", b"\n", b""):
                    return
        left = size
        while left > 0:
            data = rfile.read(min(CHUNK, left))
            if not data:
                raise ConnectionError("client closed inside a chunk")
            left -= len(data)
            yield data
        rfile.readline(3)  # CRLF after the chunk
