"""Loopback credential servers for handoff's credential-chain tests (stdlib only).

    with ContainerCredsServer(token="tok") as ecs:
        env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.full_uri,
               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok"}
        ...
        ecs.requests    # [{"method", "path", "headers": {lower-name: value}}]
        ecs.creds       # {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}

    with ImdsServer(role="handoff-role") as imds:
        env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.endpoint,
               "AWS_EC2_METADATA_DISABLED": "false"}
        imds.requests, imds.tokens_issued, imds.creds

ContainerCredsServer serves the ECS container-credentials JSON at `path`
(default /v2/credentials/handoff-test) and answers 401 unless Authorization
equals `token` (token=None: no check). ImdsServer speaks IMDSv2: PUT
/latest/api/token with X-aws-ec2-metadata-token-ttl-seconds gives a token;
GET /latest/meta-data/iam/security-credentials/ (the role name) and GET
.../<role> (JSON with Code Success) need X-aws-ec2-metadata-token, else 401.
Both bind 127.0.0.1 on a free port; stop() joins their thread.
"""
import datetime
import http.server
import json
import secrets
import threading


def _expiration(minutes=60):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_creds(prefix):
    """Fresh, recognisable temporary credentials."""
    return {
        "AccessKeyId": "ASIA%s%s" % (prefix, secrets.token_hex(4).upper()),
        "SecretAccessKey": "%s-secret-%s" % (prefix.lower(), secrets.token_hex(12)),
        "Token": "%s-token-%s" % (prefix.lower(), secrets.token_hex(16)),
        "Expiration": _expiration(),
    }


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, fmt, *args):
        pass

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        rec = {"method": self.command, "path": self.path,
               "headers": {k.lower(): v for k, v in self.headers.items()},
               "body": body.decode(errors="replace")}
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(rec)
        status, ctype, payload = owner.answer(self.command, self.path, rec["headers"])
        data = payload.encode() if isinstance(payload, str) else payload
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _serve


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class _LoopbackServer:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def answer(self, method, path, headers):  # pragma: no cover - overridden
        return 404, "text/plain", "not found"


class ContainerCredsServer(_LoopbackServer):
    """ECS container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)."""

    def __init__(self, token="handoff-test-container-token", path="/v2/credentials/handoff-test",
                 creds=None):
        self.token = token
        self.path = path
        self.creds = creds or make_creds("ECS")
        super().__init__()

    @property
    def full_uri(self):
        return self.endpoint + self.path

    def answer(self, method, path, headers):
        if method != "GET" or path != self.path:
            return 404, "text/plain", "no such path"
        if self.token is not None and headers.get("authorization") != self.token:
            return 401, "application/json", json.dumps({"message": "bad authorization token"})
        return 200, "application/json", json.dumps(self.creds)


class ImdsServer(_LoopbackServer):
    """EC2 instance metadata, IMDSv2 only (AWS_EC2_METADATA_SERVICE_ENDPOINT)."""

    TOKEN_PATH = "/latest/api/token"
    CREDS_PATH = "/latest/meta-data/iam/security-credentials/"

    def __init__(self, role="handoff-test-role", creds=None):
        self.role = role
        self.creds = creds or make_creds("IMDS")
        self.tokens_issued = []
        super().__init__()

    def answer(self, method, path, headers):
        if path == self.TOKEN_PATH:
            if method != "PUT":
                return 405, "text/plain", "method not allowed"
            ttl = headers.get("x-aws-ec2-metadata-token-ttl-seconds", "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return 400, "text/plain", "missing or bad X-aws-ec2-metadata-token-ttl-seconds"
            tok = "imds-token-" + secrets.token_hex(12)
            with self.lock:
                self.tokens_issued.append(tok)
            return 200, "text/plain", tok
        if not path.startswith(self.CREDS_PATH) or method != "GET":
            return 404, "text/plain", "not found"
        with self.lock:
            valid = headers.get("x-aws-ec2-metadata-token") in self.tokens_issued
        if not valid:
            return 401, "text/plain", "unauthorized"
        rest = path[len(self.CREDS_PATH):]
        if rest == "":
            return 200, "text/plain", self.role
        if rest == self.role:
            doc = {"Code": "Success", "LastUpdated": _expiration(-1), "Type": "AWS-HMAC"}
            doc.update(self.creds)
            return 200, "application/json", json.dumps(doc)
        return 404, "text/plain", "no such role"

    def token_sent_on_every_metadata_get(self):
        """True when every GET carried a token this server issued (and there was one)."""
        with self.lock:
            gets = [r for r in self.requests if r["method"] == "GET"]
            return bool(gets) and all(
                r["headers"].get("x-aws-ec2-metadata-token") in self.tokens_issued for r in gets)
