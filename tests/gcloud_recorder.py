"""A local stand-in for the Google Cloud APIs that `gcloud` calls: it records every request and
answers just enough for a deploy, an upload or a call to succeed.

gcloud reaches it two ways: `[api_endpoint_overrides]` in a throwaway CLOUDSDK_CONFIG send each
API to http://127.0.0.1:PORT/<api>/..., and, for the regional hosts that Cloud Run uses (which
defeat the overrides), it is gcloud's HTTP proxy. Nothing here ever leaves 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import google_crc32c

APIS = ("cloudfunctions", "run", "serviceusage", "cloudbuild", "cloudresourcemanager", "iam",
        "artifactregistry", "storage")
PROJECT_NUMBER = "123456789012"
BUILD_ACCOUNT = f"{PROJECT_NUMBER}-compute@developer.gserviceaccount.com"
FUNCTION_SOURCES = "gcf-v2-sources"  # the bucket behind functions:generateUploadUrl


@dataclass(frozen=True)
class Recorded:
    method: str
    host: str
    path: str  # without the /<api> prefix of an override
    query: dict[str, str]
    headers: dict[str, str]  # lower-case keys
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


Answer = tuple[int, dict] | tuple[int, dict, dict]  # status, JSON body[, response headers]


@dataclass
class Recorder:
    """Start with `with Recorder(project) as recorder:`; read `recorder.requests` afterwards."""

    project: str = "demo-project"
    function_uri: str = "http://127.0.0.1:9/"  # where `gcloud functions call` is sent
    requests: list[Recorded] = field(default_factory=list)
    objects: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (bucket, name) -> data
    functions: dict[str, dict] = field(default_factory=dict)
    services: dict[str, dict] = field(default_factory=dict)
    buckets: set[str] = field(default_factory=set)
    builds: dict[str, dict] = field(default_factory=dict)
    sessions: list[tuple[str, str, bytearray]] = field(default_factory=list)  # resumable uploads

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._table = self._routes()
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self) -> None:
                recorder._serve(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_one

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Recorder:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def find(self, method: str, pattern: str) -> list[Recorded]:
        """The recorded requests of `method` whose path matches the regular expression."""
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    def env(self, directory: Path) -> dict[str, str]:
        """Environment variables that point a real gcloud at this recorder, offline."""
        config = directory / "gcloud-config"
        (config / "configurations").mkdir(parents=True, exist_ok=True)
        (config / "active_config").write_text("default")  # no newline, or gcloud ignores it
        overrides = "\n".join(
            f"{api} = {self.url}/{api}/" + ("v1/" if api == "storage" else "") for api in APIS
        )
        (config / "configurations" / "config_default").write_text(
            f"[core]\nproject = {self.project}\ndisable_usage_reporting = True\n"
            "[component_manager]\ndisable_update_check = True\n"
            "[survey]\ndisable_prompts = True\n"
            f"[api_endpoint_overrides]\n{overrides}\n"
        )
        token = directory / "access-token"
        token.write_text("test-token\n")
        return {
            "CLOUDSDK_CONFIG": str(config),
            "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": str(token),
            "CLOUDSDK_PROXY_TYPE": "http",
            "CLOUDSDK_PROXY_ADDRESS": "127.0.0.1",
            "CLOUDSDK_PROXY_PORT": str(self.port),
            "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        }

    # -- serving ---------------------------------------------------------------------------

    def _serve(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        target = urllib.parse.urlsplit(handler.path)  # absolute when gcloud uses us as its proxy
        host = target.netloc or handler.headers.get("Host", "")
        forward = host != f"127.0.0.1:{self.port}" and _is_loopback(host)
        path = target.path
        first = path.split("/")[1] if path.count("/") > 1 else ""
        if first in APIS and not forward:  # an override's prefix
            path = path[len(first) + 1:]
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = Recorded(handler.command, host, path, dict(urllib.parse.parse_qsl(target.query)),
                           {k.lower(): v for k, v in handler.headers.items()}, body)
        with self._lock:
            self.requests.append(request)
            answered = None if forward else self._answer(request)
        if answered is None:  # e.g. `gcloud functions call` reaching the function on 127.0.0.1
            status, headers, data = _forward(request, target)
        else:
            status, body, *extra = answered
            headers = {"Content-Type": "application/json", **(extra[0] if extra else {})}
            data = json.dumps(body).encode()
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, request: Recorded) -> Answer:
        for method, pattern, respond in self._table:
            match = re.fullmatch(pattern, request.path)
            if match and method == request.method:
                try:
                    return respond(request, **match.groupdict())
                except (KeyError, ValueError) as error:  # a body the real API would refuse too
                    return _error(400, f"{request.method} {request.path}: {type(error).__name__}: {error}")
        return _error(404, f"the recorder has no answer for {request.method} {request.path}")

    def _routes(self) -> list[tuple[str, str, Callable[..., Answer]]]:
        location = r"/v2/projects/[^/]+/locations/(?P<region>[^/]+)"
        knative = r"/apis/serving.knative.dev/v1/namespaces/[^/]+/services"
        return [
            ("GET", location + r"/functions/(?P<name>[^/:]+)", self._get_function),
            ("GET", location + r"/runtimes", self._runtimes),
            ("POST", location + r"/functions:generateUploadUrl", self._upload_url),
            ("PUT", r"/upload/(?P<key>[\w.-]+)", self._upload),
            ("POST", location + r"/functions", self._create_function),
            ("GET", r"/v2/(?P<name>projects/[^/]+/locations/[^/]+/operations/[^/]+)", self._operation),
            ("GET", r"/v\d/projects/[^/]+/locations/[^/]+/services/[^/:]+:getIamPolicy", self._get_policy),
            ("POST", r"/v\d/projects/[^/]+/locations/[^/]+/services/[^/:]+:setIamPolicy", self._set_policy),
            ("POST", r"/v2/projects/[^/]+/locations/(?P<region>[^/]+)/builds:submit", self._submit_build),
            ("GET", r"/v1/projects/[^/]+/locations/[^/]+/operations/(?P<build>[^/]+)", self._build_operation),
            ("GET", knative + r"/(?P<name>[^/]+)", self._get_service),
            ("POST", knative, self._put_service),
            ("PUT", knative + r"/(?P<name>[^/]+)", self._put_service),
            ("GET", r"/v1/b/(?P<bucket>[^/]+)", self._get_bucket),
            ("POST", r"/v1/b", self._create_bucket),
            ("POST", r"/upload/storage/v1/b/(?P<bucket>[^/]+)/o", self._upload_object),
            ("POST", r"/resumable/upload/storage/v1/b/(?P<bucket>[^/]+)/o", self._start_resumable),
            ("PUT", r"/resumable/session/(?P<session>\d+)", self._resume),
            ("GET", r"/v1/b/(?P<bucket>[^/]+)/o", self._list_objects),
            ("GET", r"/v1/b/(?P<bucket>[^/]+)/o/(?P<name>[^/]+)", self._get_object),
            ("GET", r"/v1/projects/[^/]+/services/(?P<api>[^/]+)", self._service_state),
            ("GET", r"/v1/projects/(?P<project>[^/:]+)", self._project),
            ("POST", r"/v1/projects/[^/:]+:getIamPolicy", self._project_policy),
            ("GET", r"/v1/(?P<name>projects/[^/]+/locations/[^/]+/repositories/[^/]+)", self._repository),
            ("GET", r"/v1/projects/[^/]+/serviceAccounts/(?P<email>[^/]+)", self._service_account),
            ("GET", r"/v1/projects/[^/]+/locations/[^/]+/defaultServiceAccount", self._build_account),
        ]

    def _get_function(self, request: Recorded, region: str, name: str) -> Answer:
        if name not in self.functions:
            return _error(404, f"function {name} not found")
        return 200, self.functions[name]

    def _runtimes(self, request: Recorded, region: str) -> Answer:
        return 200, {"runtimes": [{"name": "python311", "displayName": "Python 3.11", "stage": "GA",
                                   "environment": "GEN_2"}]}

    def _upload_url(self, request: Recorded, region: str) -> Answer:
        key = f"function-source-{len(self.objects) + 1}.zip"
        return 200, {"uploadUrl": f"{self.url}/upload/{key}",
                     "storageSource": {"bucket": FUNCTION_SOURCES, "object": key}}

    def _upload(self, request: Recorded, key: str) -> Answer:
        self.objects[(FUNCTION_SOURCES, key)] = request.body
        return 200, {}

    def _create_function(self, request: Recorded, region: str) -> Answer:
        name = request.query["functionId"]
        function = request.json()
        config = function.get("serviceConfig", {})
        refused = refuse(config.get("availableMemory", "256M"), config.get("availableCpu", "0.1666"),
                         config.get("maxInstanceRequestConcurrency", 1), config.get("minInstanceCount", 0),
                         config.get("maxInstanceCount", 100), config.get("timeoutSeconds", 60))
        if refused:
            return _error(400, f"serviceConfig: {refused}")
        function.update(
            name=f"projects/{self.project}/locations/{region}/functions/{name}",
            state="ACTIVE", environment="GEN_2",
        )
        function.setdefault("serviceConfig", {}).update(
            uri=self.function_uri, service=f"projects/{self.project}/locations/{region}/services/{name}")
        self.functions[name] = function
        return self._operation(request, f"projects/{self.project}/locations/{region}/operations/{name}")

    def _operation(self, request: Recorded, name: str) -> Answer:
        """Every operation is done at once: the function it names is ACTIVE."""
        function = self.functions.get(name.rsplit("/", 1)[-1], {})
        stages = [{"name": stage, "state": "COMPLETE"} for stage in ("BUILD", "SERVICE")]
        return 200, {
            "name": name, "done": True,
            "metadata": {"@type": "type.googleapis.com/google.cloud.functions.v2.OperationMetadata",
                         "stages": stages},
            "response": {"@type": "type.googleapis.com/google.cloud.functions.v2.Function", **function},
        }

    def _submit_build(self, request: Recorded, region: str) -> Answer:
        """Cloud Run's own build API (`run deploy --source`): the build succeeds at once."""
        submit = request.json()
        source = submit["storageSource"]
        data = self.objects[(source["bucket"], source["object"])]
        build_id = f"build-{len(self.builds) + 1}"
        self.builds[build_id] = {
            "id": build_id, "name": f"projects/{self.project}/locations/{region}/builds/{build_id}",
            "projectId": self.project, "status": "SUCCESS", "logUrl": f"{self.url}/logs/{build_id}",
            "results": {"images": [{"name": submit["imageUri"],
                                    "digest": "sha256:" + hashlib.sha256(data).hexdigest()}]},
        }
        return 200, {"buildOperation": self._build_operation(request, build_id)[1]}

    def _build_operation(self, request: Recorded, build: str) -> Answer:
        if build not in self.builds:
            return _error(404, f"build {build} not found")
        region = self.builds[build]["name"].split("/")[3]
        return 200, {
            "name": f"projects/{self.project}/locations/{region}/operations/{build}", "done": True,
            "metadata": {"@type": "type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata",
                         "build": self.builds[build]},
            "response": {"@type": "type.googleapis.com/google.devtools.cloudbuild.v1.Build",
                         **self.builds[build]},
        }

    def _get_service(self, request: Recorded, name: str) -> Answer:
        if name not in self.services:
            return _error(404, f"service {name} not found")
        return 200, self.services[name]

    def _put_service(self, request: Recorded, name: str | None = None) -> Answer:
        """A Knative Service, created (POST) or replaced (PUT .../NAME), is Ready at once."""
        service = request.json()
        name = service["metadata"]["name"]
        template = service["spec"]["template"]
        scale = template.get("metadata", {}).get("annotations", {})
        (container,) = template["spec"]["containers"]
        limits = container.get("resources", {}).get("limits", {})
        refused = refuse(limits.get("memory", "512Mi"), limits.get("cpu", "1"),
                         template["spec"].get("containerConcurrency", 80),
                         int(scale.get("autoscaling.knative.dev/minScale", 0)),
                         int(scale.get("autoscaling.knative.dev/maxScale", 100)),
                         template["spec"].get("timeoutSeconds", 300))
        if refused:
            return _error(400, f"spec.template: {refused}")
        generation = self.services.get(name, {}).get("metadata", {}).get("generation", 0) + 1
        revision = f"{name}-{generation:05d}-rec"
        service["metadata"].update(generation=generation, uid=f"uid-{name}", resourceVersion=str(generation))
        service["status"] = {
            "observedGeneration": generation,
            "conditions": [{"type": kind, "status": "True"}
                           for kind in ("Ready", "ConfigurationsReady", "RoutesReady")],
            "latestCreatedRevisionName": revision, "latestReadyRevisionName": revision,
            "url": self.function_uri, "address": {"url": self.function_uri},
            "traffic": [{"revisionName": revision, "percent": 100, "latestRevision": True}],
        }
        self.services[name] = service
        return 200, service

    def _get_policy(self, request: Recorded) -> Answer:
        return 200, {"version": 1, "etag": "BwYAAAAAAAA=", "bindings": []}

    def _set_policy(self, request: Recorded) -> Answer:
        return 200, request.json()["policy"]

    def _project_policy(self, request: Recorded) -> Answer:
        """The default build account already holds the builder role: gcloud changes nothing."""
        member = f"serviceAccount:{BUILD_ACCOUNT}"
        return 200, {"version": 1, "etag": "BwYAAAAAAAA=",
                     "bindings": [{"role": "roles/cloudbuild.builds.builder", "members": [member]}]}

    def _service_state(self, request: Recorded, api: str) -> Answer:
        return 200, {"name": f"projects/{PROJECT_NUMBER}/services/{api}", "state": "ENABLED"}

    def _project(self, request: Recorded, project: str) -> Answer:
        return 200, {"projectId": project, "projectNumber": PROJECT_NUMBER, "name": project,
                     "lifecycleState": "ACTIVE"}

    def _build_account(self, request: Recorded) -> Answer:
        return 200, {"name": "defaultServiceAccount",
                     "serviceAccountEmail": f"projects/{self.project}/serviceAccounts/{BUILD_ACCOUNT}"}

    def _get_bucket(self, request: Recorded, bucket: str) -> Answer:
        if bucket not in self.buckets:
            return _error(404, f"bucket {bucket} not found")
        return 200, {"name": bucket, "id": bucket, "kind": "storage#bucket"}

    def _create_bucket(self, request: Recorded) -> Answer:
        bucket = request.json()["name"]
        self.buckets.add(bucket)
        return self._get_bucket(request, bucket)

    def _list_objects(self, request: Recorded, bucket: str) -> Answer:
        if bucket not in self.buckets:
            return _error(404, f"bucket {bucket} not found")
        prefix = request.query.get("prefix", "")
        return 200, {"kind": "storage#objects",
                     "items": [_object(b, n, data) for (b, n), data in sorted(self.objects.items())
                               if b == bucket and n.startswith(prefix)]}

    def _get_object(self, request: Recorded, bucket: str, name: str) -> Answer:
        name = urllib.parse.unquote(name)
        if (bucket, name) not in self.objects:
            return _error(404, f"gs://{bucket}/{name} not found")
        return 200, _object(bucket, name, self.objects[(bucket, name)])

    def _upload_object(self, request: Recorded, bucket: str) -> Answer:
        """A multipart upload: a JSON part naming the object, then its bytes."""
        if bucket not in self.buckets:
            return _error(404, f"bucket {bucket} not found")
        meta, data = _multipart(request.headers["content-type"], request.body)
        name = json.loads(meta).get("name") or request.query["name"]
        self.objects[(bucket, name)] = data
        return 200, _object(bucket, name, data)

    def _start_resumable(self, request: Recorded, bucket: str) -> Answer:
        """A resumable upload (gcloud's way for larger files): a session, then PUTs of its bytes."""
        if bucket not in self.buckets:
            return _error(404, f"bucket {bucket} not found")
        name = (json.loads(request.body or b"{}").get("name")) or request.query["name"]
        self.sessions.append((bucket, name, bytearray()))
        return 200, {}, {"Location": f"{self.url}/resumable/session/{len(self.sessions) - 1}"}

    def _resume(self, request: Recorded, session: str) -> Answer:
        bucket, name, data = self.sessions[int(session)]
        data += request.body
        total = request.headers.get("content-range", "").rpartition("/")[2]
        if total.isdigit() and len(data) < int(total):
            return 308, {}, {"Range": f"bytes=0-{len(data) - 1}"}
        self.objects[(bucket, name)] = bytes(data)
        return 200, _object(bucket, name, bytes(data))

    def _repository(self, request: Recorded, name: str) -> Answer:
        return 200, {"name": name, "format": "DOCKER"}

    def _service_account(self, request: Recorded, email: str) -> Answer:
        return 200, {"email": email, "name": request.path.removeprefix("/v1/"), "disabled": False}


def refuse(memory: str, cpu: str, concurrency: int, min_count: int, max_count: int,
           timeout: int) -> str | None:
    """Why Cloud Run (and so a gen2 function) would refuse these limits; None if it would not.

    gcloud sends values such as --memory=512XB unchecked: the API is where they fail.
    """
    size = re.fullmatch(r"([1-9][0-9]*)(Mi|Gi|M|G)", memory)
    if not size:
        return f"memory {memory!r} is not a quantity such as 512Mi or 2Gi"
    mebibytes = int(size[1]) * {"Mi": 1, "Gi": 1024, "M": 1e6 / 2**20, "G": 1e9 / 2**20}[size[2]]
    if not 128 <= mebibytes <= 32 * 1024:
        return f"memory {memory} lies outside 128Mi..32Gi"
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", str(cpu)) or not 0.08 <= float(cpu) <= 8:
        return f"cpu {cpu!r} is not a number of CPUs between 0.08 and 8"
    if float(cpu) > 1 and float(cpu) not in (2, 4, 6, 8):
        return f"cpu {cpu} must be 1, 2, 4, 6 or 8 above one CPU"
    for least_cpu, most_memory in ((1, 4096), (2, 8192), (4, 16384)):
        if float(cpu) <= least_cpu and mebibytes > most_memory:
            return f"memory {memory} needs more than {least_cpu} CPU"
    if not 1 <= concurrency <= 1000 or (concurrency > 1 and float(cpu) < 1):
        return f"concurrency {concurrency} must lie in 1..1000, and above 1 needs a whole CPU"
    if not 0 <= min_count <= max_count or max_count < 1:
        return f"instances {min_count}..{max_count} are not 0 <= min <= max, max >= 1"
    if not 1 <= timeout <= 3600:
        return f"timeout {timeout}s lies outside 1..3600s"
    return None


def _multipart(content_type: str, body: bytes) -> list[bytes]:
    """The bodies of a multipart/related upload's parts (gcloud quotes the boundary with ')."""
    boundary = content_type.split("boundary=", 1)[1].strip("'\"").encode()
    parts = body.split(b"--" + boundary)[1:-1]
    return [re.split(rb"\r?\n\r?\n", part, maxsplit=1)[1].removesuffix(b"\n").removesuffix(b"\r")
            for part in parts]


def _object(bucket: str, name: str, data: bytes) -> dict:
    return {"kind": "storage#object", "bucket": bucket, "name": name, "size": str(len(data)),
            "generation": "1", "md5Hash": base64.b64encode(hashlib.md5(data).digest()).decode(),
            "crc32c": base64.b64encode(google_crc32c.value(data).to_bytes(4, "big")).decode()}


def _is_loopback(host: str) -> bool:
    name = urllib.parse.urlsplit(f"//{host}").hostname or ""
    return name == "localhost" or name.startswith("127.")


def _forward(request: Recorded, target: urllib.parse.SplitResult) -> tuple[int, dict, bytes]:
    """Relays a proxied request to a server on this machine (never anywhere else)."""
    skip = {"host", "connection", "proxy-connection", "proxy-authorization", "content-length"}
    headers = {k: v for k, v in request.headers.items() if k not in skip}
    connection = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=60)
    try:
        connection.request(request.method, target.path + (f"?{target.query}" if target.query else ""),
                           body=request.body, headers=headers)
        response = connection.getresponse()
        kept = {k: v for k, v in response.getheaders()
                if k.lower() not in {"content-length", "transfer-encoding", "connection"}}
        return response.status, kept, response.read()
    finally:
        connection.close()


def _error(status: int, message: str) -> Answer:
    reason = {404: "NOT_FOUND", 400: "INVALID_ARGUMENT"}.get(status, "UNKNOWN")
    return status, {"error": {"code": status, "message": message, "status": reason}}
