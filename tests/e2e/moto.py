"""moto_server on 127.0.0.1 for handoff's AWS e2e tests (Python 3 stdlib only).

    server = MotoServer()            # starts moto_server on a free loopback port
    server.endpoint                  # "http://127.0.0.1:PORT"
    server.env(AWS_REGION="eu-west-1")   # a clean AWS environment pointing at it
    server.aws("s3", "mb", "s3://b")     # awscli as a second client
    server.aws_json("ssm", "get-parameters-by-path", "--path", "/")
    server.reset()                   # POST /moto-api/reset: forget every resource
    server.stop()                    # kill and reap (no stray process)

MotoTestCase starts one server per test class (setUpClass) and resets it
before each test, so startup (~1-2 s) is paid once per class.

When moto_server is not installed the test is skipped, unless CI is set in
the environment: in CI a missing peer is a failure.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

START_TIMEOUT = 30.0

# Variables that would let a client find credentials or endpoints other than
# the ones a test sets (a developer's own profile, a real region, a proxy).
AWS_VARS_TO_DROP = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_STS",
    "AWS_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
    "ALL_PROXY", "all_proxy", "STACK_NAME", "HO_STORE", "HO_BUCKET",
)


class MotoMissing(Exception):
    pass


def find_tool(name):
    """The tool installed beside this Python (skips a pyenv shim's ~0.4 s), else on PATH."""
    import sys
    sibling = os.path.join(os.path.dirname(sys.executable), name)
    if os.access(sibling, os.X_OK):
        return sibling
    return shutil.which(name)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(what):
    """Skip outside CI, fail in CI."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        raise MotoMissing("%s (CI is set: a missing test peer is a failure)" % what)
    raise unittest.SkipTest(what)


def clean_env(base=None):
    """os.environ (or base) without variables that would leak another AWS setup."""
    env = dict(os.environ if base is None else base)
    for k in AWS_VARS_TO_DROP:
        env.pop(k, None)
    for k in list(env):
        if k.startswith("AWS_ENDPOINT_URL"):
            env.pop(k)
    return env


class MotoServer:
    """One moto_server process on 127.0.0.1 at a free port."""

    def __init__(self, extra_env=None, start=True):
        self.extra_env = dict(extra_env or {})
        self.proc = None
        self.port = None
        self._dir = tempfile.mkdtemp(prefix="handoff-moto-")
        # Empty files: awscli and handoff must find no profile of the developer's.
        self.config_file = os.path.join(self._dir, "config")
        self.credentials_file = os.path.join(self._dir, "credentials")
        for path in (self.config_file, self.credentials_file):
            open(path, "w").close()
        self.log_path = os.path.join(self._dir, "moto.log")
        self.aws_exe = find_tool("aws")
        if start:
            self.start()
        # A script that dies before stop() must not leave moto_server behind.
        atexit.register(self.stop)

    # ----- lifecycle -------------------------------------------------------
    def start(self):
        exe = find_tool("moto_server")
        if not exe:
            self._cleanup_dir()
            _missing("moto_server not found on PATH")
        if not self.aws_exe:
            self._cleanup_dir()
            _missing("awscli (aws) not found on PATH")
        env = clean_env()
        env.update(self.extra_env)
        last_err = None
        for _attempt in range(3):  # a free port can be taken between bind and listen
            self.port = free_port()
            log = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(
                    [exe, "-H", "127.0.0.1", "-p", str(self.port)],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                    start_new_session=True)
            finally:
                log.close()
            try:
                self._wait_ready()
                return self
            except RuntimeError as e:
                last_err = e
                self._kill()
        self._cleanup_dir()
        raise RuntimeError("moto_server did not start: %s" % last_err)

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("moto_server exited with %s: %s"
                                   % (self.proc.returncode, self.log_tail()))
            try:
                with urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2) as r:
                    r.read()
                    return
            except urllib.error.HTTPError:
                return  # it answered
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        raise RuntimeError("no answer on %s within %.0f s: %s"
                           % (self.endpoint, START_TIMEOUT, self.log_tail()))

    def _kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except OSError:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except OSError:
                    self.proc.kill()
                self.proc.wait()
        self.proc = None

    def _cleanup_dir(self):
        shutil.rmtree(self._dir, ignore_errors=True)

    def stop(self):
        """Kill moto_server, reap it, remove its temp dir. Idempotent."""
        self._kill()
        self._cleanup_dir()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def log_tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    # ----- state -----------------------------------------------------------
    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def reset(self):
        """Forget every resource (POST /moto-api/reset)."""
        req = urllib.request.Request(self.endpoint + "/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()

    # ----- clients ---------------------------------------------------------
    def env(self, base=None, **overrides):
        """A full environment for a client of this server.

        Starts from os.environ (or base) minus anything AWS-ish, then sets the
        endpoint, keys testing/testing, region us-east-1, IMDS disabled and
        empty shared config/credentials files. A value of None in overrides
        removes that variable.
        """
        env = clean_env(base)
        env.update({
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": self.config_file,
            "AWS_SHARED_CREDENTIALS_FILE": self.credentials_file,
            "AWS_PAGER": "",
        })
        for k, v in overrides.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def aws(self, *args, env=None, input=None, check=True, timeout=60, endpoint=None):
        """Run `aws --endpoint-url ENDPOINT ARGS...`; returns CompletedProcess (text).

        env: extra variables on top of self.env() (None values remove).
        """
        full_env = self.env(**(env or {}))
        argv = [self.aws_exe, "--endpoint-url", endpoint or self.endpoint] + [str(a) for a in args]
        proc = subprocess.run(argv, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=full_env, timeout=timeout,
                              text=not isinstance(input, bytes))
        if check and proc.returncode != 0:
            raise AssertionError("awscli failed (%s): %s\nstdout:\n%s\nstderr:\n%s"
                                 % (proc.returncode, " ".join(argv),
                                    _text(proc.stdout)[-2000:], _text(proc.stderr)[-2000:]))
        return proc

    def aws_json(self, *args, **kw):
        """Like aws(), with --output json, returning the parsed output ({} when empty)."""
        proc = self.aws(*args, "--output", "json", **kw)
        out = _text(proc.stdout).strip()
        return json.loads(out) if out else {}


def _text(s):
    return s.decode(errors="replace") if isinstance(s, bytes) else (s or "")


class MotoTestCase(unittest.TestCase):
    """One moto_server per test class, reset before every test.

    Subclasses may set moto_env (extra environment for moto_server, e.g.
    {"INITIAL_NO_AUTH_ACTION_COUNT": "4"}) and reset_per_test = False to keep
    state across the class's tests.
    """

    moto_env = None
    reset_per_test = True
    moto = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moto = MotoServer(extra_env=cls.moto_env)
        # A failure later in a subclass's setUpClass skips tearDownClass.
        cls.addClassCleanup(cls.moto.stop)

    @classmethod
    def tearDownClass(cls):
        if cls.moto is not None:
            cls.moto.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        if self.reset_per_test:
            self.moto.reset()
