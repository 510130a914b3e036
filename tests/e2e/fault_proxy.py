"""A fault-injecting HTTP proxy on 127.0.0.1 (Python 3 stdlib only; issue 6 point 2).

A client uses it as its endpoint (AWS_ENDPOINT_URL=proxy.url); requests are
forwarded to the upstream (moto_server) unchanged, except that, at `rate`
(0..1) and from a random.Random(seed), a request gets one fault instead:

  reset_before  the request head is read, then the connection is reset (RST);
                the request never reaches the upstream
  reset_after   the whole request is forwarded (the upstream acts on it), the
                answer is dropped and the connection is reset
  stall         the request is forwarded, then nothing is sent for
                `stall_seconds` (set it above the client's timeout), then
                the connection is closed; bounded: stop() ends every stall
  cut           the request is forwarded, the answer is relayed up to half of
                its body (or half of its head when the body is empty), then
                the connection is closed
  http500, http503, throttle
                answered here, not forwarded, in the service's own error shape:
                S3 (XML): InternalError 500, ServiceUnavailable 503, SlowDown 503;
                JSON-protocol services such as SSM: InternalServerError 500,
                ServiceUnavailable 503, ThrottlingException 400

    with FaultProxy(moto.endpoint, rate=0.3, seed=7) as proxy:
        run_client(AWS_ENDPOINT_URL=proxy.url)
        proxy.counts()   # {"requests": n, "faults": m, "reset_before": k, ...}

Bounds: at most max_threads connections are served at once (others wait in
the listen queue); a request's body and its answer are held in memory, one
request at a time per connection (what a test sends: parts of 8 MiB, objects
of tens of MiB); stop() ends stalls, closes every connection and joins the
threads.
"""
import concurrent.futures
import http.client
import http.server
import json
import random
import socket
import socketserver
import struct
import threading
import urllib.parse

from recording_proxy import CHUNK, HOP_BY_HOP, _read_chunked

KINDS = ("reset_before", "reset_after", "stall", "cut", "http500", "http503", "throttle")

# (status, code, message) per fault kind, per protocol.
_S3_ERRORS = {
    "http500": (500, "InternalError", "We encountered an internal error. Please try again."),
    "http503": (503, "ServiceUnavailable", "Service is unable to handle request."),
    "throttle": (503, "SlowDown", "Please reduce your request rate."),
}
_JSON_ERRORS = {
    "http500": (500, "InternalServerError", "Internal server error"),
    "http503": (503, "ServiceUnavailable", "Service unavailable"),
    "throttle": (400, "ThrottlingException", "Rate exceeded"),
}


def _service_of(headers):
    """"s3", "ssm", … from the SigV4 credential scope (or X-Amz-Target)."""
    auth = headers.get("Authorization", "")
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 4:
            return scope[3]
    target = headers.get("X-Amz-Target", "")
    return "ssm" if target.startswith("AmazonSSM.") else "s3"


def error_answer(kind, headers, path):
    """(status, [(header, value)], body) of an injected error in the service's shape."""
    service = _service_of(headers)
    json_protocol = bool(headers.get("X-Amz-Target")) or service not in ("s3", "sts")
    if json_protocol:
        status, code, message = _JSON_ERRORS[kind]
        body = json.dumps({"__type": code, "message": message}).encode()
        return status, [("Content-Type", "application/x-amz-json-1.1"),
                        ("x-amzn-ErrorType", code), ("x-amzn-RequestId", "fault-proxy")], body
    status, code, message = _S3_ERRORS[kind]
    resource = urllib.parse.urlsplit(path).path
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
            '<Resource>%s</Resource><RequestId>fault-proxy</RequestId></Error>'
            % (code, message, resource)).encode()
    return status, [("Content-Type", "application/xml"), ("x-amz-request-id", "fault-proxy")], body


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection ends after this

    def log_message(self, fmt, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.server.proxy._track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.proxy._track(self.connection, False)

    def _any(self):
        self.server.proxy._serve(self)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _any


class _Server(socketserver.TCPServer):
    """TCPServer whose connections run on a bounded pool of threads."""

    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, handler, max_threads):
        super().__init__(addr, handler)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_threads,
                                                          thread_name_prefix="fault-proxy")

    def process_request(self, request, client_address):
        self.pool.submit(self._work, request, client_address)

    def _work(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:  # a broken client connection ends only that connection
            pass
        finally:
            self.shutdown_request(request)

    def server_close(self):
        super().server_close()
        self.pool.shutdown(wait=True, cancel_futures=True)


class FaultProxy:
    def __init__(self, upstream, rate=0.0, seed=0, kinds=KINDS, stall_seconds=5.0,
                 max_threads=48, upstream_timeout=120):
        u = urllib.parse.urlsplit(upstream)
        if u.scheme != "http":
            raise ValueError("upstream must be http://host:port, got %r" % upstream)
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError("unknown fault kinds %s" % sorted(unknown))
        self.upstream_host = u.hostname
        self.upstream_port = u.port or 80
        self.upstream_timeout = upstream_timeout
        self.stall_seconds = stall_seconds
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._rate = rate
        self._kinds = tuple(kinds)
        self._match = None
        self._limit = None
        self._counts = dict.fromkeys(("requests", "faults") + KINDS, 0)
        self._conns = set()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler, max_threads)
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="fault-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def configure(self, rate=None, seed=None, kinds=None, match=False, limit=False):
        """Change the rate, reseed, or narrow the kinds (between client runs).

        match: None (every request) or a predicate match(method, path,
        headers) choosing the requests that may get a fault; limit: None or
        how many faults to inject at most from now on. Both stay until changed.
        """
        with self._lock:
            if rate is not None:
                self._rate = rate
            if seed is not None:
                self._rng = random.Random(seed)
            if kinds is not None:
                if set(kinds) - set(KINDS):
                    raise ValueError("unknown fault kinds %s" % sorted(set(kinds) - set(KINDS)))
                self._kinds = tuple(kinds)
            if match is not False:
                self._match = match
            if limit is not False:
                self._limit = limit

    def counts(self):
        """{"requests": seen, "faults": injected, <kind>: injected of that kind}."""
        with self._lock:
            return dict(self._counts)

    def reset_counts(self):
        with self._lock:
            for k in self._counts:
                self._counts[k] = 0

    # ----- lifecycle -------------------------------------------------------
    def stop(self):
        """End stalls, stop serving, close client connections, join. Idempotent."""
        if self._thread is None:
            return
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _track(self, conn, add):
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    # ----- serving ---------------------------------------------------------
    def _pick(self, h):
        with self._lock:
            self._counts["requests"] += 1
            if not self._kinds or self._limit == 0:
                return None
            if self._match is not None and not self._match(h.command, h.path, h.headers):
                return None
            if self._rng.random() >= self._rate:
                return None
            if self._limit is not None:
                self._limit -= 1
            kind = self._rng.choice(self._kinds)
            self._counts["faults"] += 1
            self._counts[kind] += 1
            return kind

    def _serve(self, h):
        kind = self._pick(h)
        if kind == "reset_before":
            _reset(h)
            return
        body = _read_body(h)
        if kind in ("http500", "http503", "throttle"):
            status, headers, payload = error_answer(kind, h.headers, h.path)
            h.send_response_only(status)
            for k, v in headers:
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
            return
        up = http.client.HTTPConnection(self.upstream_host, self.upstream_port,
                                        timeout=self.upstream_timeout)
        try:
            try:
                up.putrequest(h.command, h.path, skip_host=True, skip_accept_encoding=True)
                for k, v in h.headers.items():
                    if k.lower() not in ("transfer-encoding", "content-length"):
                        up.putheader(k, v)
                up.putheader("Content-Length", str(len(body)))
                up.endheaders()
                up.send(body)
                resp = up.getresponse()
            except (OSError, http.client.HTTPException) as e:
                try:
                    h.send_error(502, "fault proxy: upstream failed: %s" % e)
                except OSError:
                    pass
                h.close_connection = True
                return
            if kind == "reset_after":
                resp.read()
                _reset(h)
            elif kind == "stall":
                resp.read()
                self._stopping.wait(self.stall_seconds)
                h.close_connection = True
            else:
                self._relay(h, resp, cut=kind == "cut")
        finally:
            up.close()

    @staticmethod
    def _relay(h, resp, cut):
        headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
        body = b"" if h.command == "HEAD" else resp.read()
        head = "HTTP/1.1 %d %s\r\n" % (resp.status, resp.reason)
        head += "".join("%s: %s\r\n" % (k, v) for k, v in headers
                        if k.lower() != "content-length")
        if h.command == "HEAD":
            clen = dict((k.lower(), v) for k, v in headers).get("content-length", "0")
        else:
            clen = str(len(body))
        head = (head + "Content-Length: %s\r\n\r\n" % clen).encode("latin-1")
        if not cut:
            h.wfile.write(head)
            for i in range(0, len(body), CHUNK):
                h.wfile.write(body[i:i + CHUNK])
            return
        # Half of the body, or half of the head when there is no body: the
        # client must see a short answer, never a complete one.
        if body:
            h.wfile.write(head)
            half = len(body) // 2
            for i in range(0, half, CHUNK):
                h.wfile.write(body[i:min(half, i + CHUNK)])
        else:
            h.wfile.write(head[:len(head) // 2])
        h.close_connection = True
        try:
            h.connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def _read_body(h):
    """The whole request body (Content-Length or chunked)."""
    if "chunked" in h.headers.get("Transfer-Encoding", "").lower():
        return b"".join(_read_chunked(h.rfile))
    left = int(h.headers.get("Content-Length", "0") or 0)
    parts = []
    while left > 0:
        data = h.rfile.read(min(CHUNK, left))
        if not data:
            raise ConnectionError("client closed with %d body bytes unsent" % left)
        parts.append(data)
        left -= len(data)
    return b"".join(parts)


def _reset(h):
    """Abort the client connection with a TCP RST (SO_LINGER 0, then close)."""
    h.close_connection = True
    try:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
    except OSError:
        pass
