"""The production packaging agrees with the settings: Dockerfile, docker-compose.yml, .env.example.

No Docker daemon is needed. The files are read as data; the settings are imported in a fresh
interpreter to learn which variables they read (this process's settings are already loaded, in
development mode); the image's build step and the web healthcheck are run against the checkout.
"""

import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

APP_SERVICES = ("web", "worker", "outbox", "beat")
OBJECT_STORE = "minio"
ONE_SHOT_SERVICES = {"migrate", "createbucket"}

# Variables that belong in .env or docker-compose.yml although portal/settings.py never reads
# them, with who reads them. Anything else must be read by the settings.
NOT_READ_BY_SETTINGS = {
    "POSTGRES_USER": "compose: the postgres image, and DATABASE_URL",
    "POSTGRES_PASSWORD": "compose: the postgres image, and DATABASE_URL",
    "POSTGRES_DB": "compose: the postgres image, and DATABASE_URL",
    "MINIO_ROOT_USER": "compose: the minio image and createbucket",
    "MINIO_ROOT_PASSWORD": "compose: the minio image and createbucket",
    "WEB_CONCURRENCY": "gunicorn: number of workers",
    "FORWARDED_ALLOW_IPS": "gunicorn: --forwarded-allow-ips",
}

# Every branch of the settings at once: production (SECURE_*), the SMTP backend (EMAIL_*) and
# S3 storage (AWS_*), with the values production insists on.
ALL_BRANCHES_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "test-only-" + "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "portail.example.fr",
    "DATABASE_URL": "postgres://portal@db.invalid/portal",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "x",
    "SMS_BACKEND": "twilio",
    "TWILIO_ACCOUNT_SID": "ACtest",
    "TWILIO_AUTH_TOKEN": "test",
    "TWILIO_FROM": "Portail",
    "SITE_URL": "https://portail.example.fr",
}

# Only what a process needs to run; none of the portal's variables leaks in from the caller.
BASE_ENV = {
    key: os.environ[key]
    for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    if key in os.environ
}

_ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")
# Compose interpolation: $$ is a literal dollar; ${NAME...} and $NAME name a variable.
_INTERPOLATION = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


# --- Readers ------------------------------------------------------------------------------------
@cache
def settings_variables() -> frozenset[str]:
    """The variables portal/settings.py reads, all branches taken, from a fresh interpreter."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; django.setup(); from portal.env import READ; "
            "print(json.dumps(sorted(READ)))",
        ],
        cwd=ROOT,
        env=BASE_ENV | ALL_BRANCHES_ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return frozenset(json.loads(result.stdout.splitlines()[-1]))


@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def command(name: str) -> list[str]:
    value = service(name)["command"]
    return shlex.split(value) if isinstance(value, str) else list(value)


def environment_names(definition: dict) -> set[str]:
    environment = definition.get("environment") or {}
    if isinstance(environment, dict):
        return set(environment)
    return {item.split("=", 1)[0] for item in environment}


def interpolated_names(node: object) -> set[str]:
    if isinstance(node, str):
        return {
            match.group(1) or match.group(2)
            for match in _INTERPOLATION.finditer(node)
            if match.group(1) or match.group(2)
        }
    if isinstance(node, dict):
        return set().union(
            *(interpolated_names(k) | interpolated_names(v) for k, v in node.items())
        )
    if isinstance(node, list):
        return set().union(*(interpolated_names(item) for item in node))
    return set()


def named_volume_mounts(name: str) -> dict[str, str]:
    """Mount target -> named volume, for a service's named-volume mounts."""
    mounts = {}
    for volume in service(name).get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type", "volume") == "volume" and volume.get("source"):
                mounts[volume["target"]] = volume["source"]
            continue
        source, _, rest = volume.partition(":")
        if rest and not source.startswith((".", "/", "~", "$")):
            mounts[rest.split(":")[0]] = source
    return mounts


def depends_on(name: str) -> dict[str, str]:
    """Service -> condition; the short list form means service_started."""
    value = service(name).get("depends_on") or {}
    if isinstance(value, list):
        return dict.fromkeys(value, "service_started")
    return {
        dependency: (spec or {}).get("condition", "service_started")
        for dependency, spec in value.items()
    }


@cache
def env_example() -> list[tuple[int, str, str, bool]]:
    """(line index, name, value, set) of every NAME=value or commented # NAME=value line."""
    entries = []
    for index, line in enumerate(ENV_EXAMPLE.read_text().splitlines()):
        match = _ASSIGNMENT.match(line)
        if match:
            entries.append((index, match.group(2), match.group(3).strip(), match.group(1) is None))
    return entries


def env_example_names() -> set[str]:
    return {name for _, name, _, _ in env_example()}


@cache
def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def dockerfile_cmd() -> list[str]:
    cmds = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "CMD"]
    assert cmds, "the Dockerfile has no CMD"
    assert cmds[-1].startswith("["), "CMD must use the exec form (gunicorn gets the signals)"
    return json.loads(cmds[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- docker-compose.yml -------------------------------------------------------------------------
def test_compose_has_every_process_and_service_of_the_production_shape() -> None:
    services = set(compose()["services"])
    assert {*APP_SERVICES, "postgres", "redis", OBJECT_STORE} <= services
    assert services >= ONE_SHOT_SERVICES
    assert service("postgres")["image"].startswith("postgres:16")
    assert service("redis")["image"].startswith("redis:7")


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name, definition in compose()["services"].items():
        if name in ONE_SHOT_SERVICES:
            assert str(definition.get("restart", "no")) == "no", name
            continue
        test = (definition.get("healthcheck") or {}).get("test")
        assert test, f"{name} has no healthcheck"
        assert isinstance(test, list), name
        assert test[0] in {"CMD", "CMD-SHELL"}, f"{name}'s healthcheck is disabled"
        assert not definition["healthcheck"].get("disable"), name


def test_the_healthchecks_probe_what_they_should() -> None:
    web = " ".join(service("web")["healthcheck"]["test"])
    assert "urllib" in web and "http://127.0.0.1:8000/sante/" in web
    assert "curl" not in web
    assert "pg_isready" in " ".join(service("postgres")["healthcheck"]["test"])
    assert service("redis")["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    assert "/minio/health/live" in " ".join(service(OBJECT_STORE)["healthcheck"]["test"])
    assert service("clamav")["healthcheck"]["test"] == ["CMD", "clamdcheck.sh"]
    for name in ("worker", "outbox"):
        worker = " ".join(service(name)["healthcheck"]["test"])
        assert "celery -A portal inspect ping" in worker and "celery@$$HOSTNAME" in worker, name
    # beat answers ping (as celerybeat@host) only with remote control on.
    beat = " ".join(service("beat")["healthcheck"]["test"])
    assert "celery -A portal inspect ping" in beat and "celerybeat@$$HOSTNAME" in beat
    assert "--enable-remote-control" in command("beat")


def test_state_lives_in_named_volumes() -> None:
    declared = set(compose().get("volumes") or {})
    postgres = named_volume_mounts("postgres")
    assert postgres.get("/var/lib/postgresql/data") in declared
    store = named_volume_mounts(OBJECT_STORE)
    data_dir = command(OBJECT_STORE)[command(OBJECT_STORE).index("server") + 1]
    assert store.get(data_dir) in declared
    schedule = next(
        arg.split("=", 1)[1] for arg in command("beat") if arg.startswith("--schedule=")
    )
    beat = named_volume_mounts("beat")
    assert any(schedule.startswith(target.rstrip("/") + "/") for target in beat), schedule
    assert set(beat.values()) <= declared


def test_the_processes_share_one_image_and_the_env_file() -> None:
    for name in (*APP_SERVICES, "migrate"):
        env_file = service(name).get("env_file")
        assert env_file in (".env", [".env"]), f"{name}: env_file is {env_file!r}"
        assert service(name)["build"] == service("web")["build"], name
        assert service(name)["image"] == service("web")["image"], name
        assert service(name)["environment"]["DJANGO_ENV"] == "production", name


def test_web_runs_gunicorn_like_the_image() -> None:
    web = command("web")
    assert web[0] == "gunicorn"
    assert "portal.wsgi:application" in web
    assert web[web.index("--bind") + 1] == "0.0.0.0:8000"
    assert web == dockerfile_cmd(), "docker-compose.yml and the Dockerfile's CMD drifted apart"


def test_worker_and_beat_run_celery() -> None:
    assert command("worker")[:4] == ["celery", "-A", "portal", "worker"]
    assert command("outbox")[:4] == ["celery", "-A", "portal", "worker"]
    assert command("beat")[:4] == ["celery", "-A", "portal", "beat"]
    assert command("migrate")[-3:] == ["manage.py", "migrate", "--noinput"]


def test_the_workers_run_as_portal_workers_defines_them() -> None:
    """The benchmark and the tests start workers with portal/workers.py: so must production."""
    from django.conf import settings

    from portal.workers import OUTBOX_THREADS, outbox_worker_arguments, tasks_worker_arguments

    celery_worker = ["celery", "-A", "portal", "worker"]
    assert command("worker") == [*celery_worker, *tasks_worker_arguments(), "--loglevel=INFO"]
    assert command("outbox") == [*celery_worker, *outbox_worker_arguments(), "--loglevel=INFO"]
    assert outbox_worker_arguments()[-1] == (
        f"--queues={settings.NOTIFICATIONS_URGENT_QUEUE},{settings.NOTIFICATIONS_QUEUE}"
    )
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] == "priority"
    # Each outbox thread holds a database connection: two replicas stay well under PostgreSQL's
    # default max_connections (100), beside the web and the other worker.
    replicas = service("outbox").get("deploy", {}).get("replicas", 1)
    assert replicas * OUTBOX_THREADS <= 64


def test_the_processes_wait_for_healthy_services_and_for_the_one_shots() -> None:
    for name in APP_SERVICES:
        conditions = depends_on(name)
        # Uploads scan through clamd; while it starts, sendings wait rather than the processes.
        assert service(name)["environment"]["ANTIVIRUS_URL"] == "tcp://clamav:3310", name
        assert conditions.get("clamav") == "service_started", name
        assert conditions.get("postgres") == "service_healthy", name
        assert conditions.get("redis") == "service_healthy", name
        assert conditions.get("migrate") == "service_completed_successfully", name
        assert conditions.get("createbucket") == "service_completed_successfully", name
    assert depends_on("migrate") == {"postgres": "service_healthy"}
    assert depends_on("createbucket") == {OBJECT_STORE: "service_healthy"}


def test_compose_gives_the_processes_only_variables_that_something_reads() -> None:
    known = settings_variables() | set(NOT_READ_BY_SETTINGS)
    for name in APP_SERVICES:
        definition = service(name)
        given = environment_names(definition) | interpolated_names(definition)
        assert given - known == set(), f"{name} is given variables nothing reads"
    wired = environment_names(service("web"))
    assert {"DATABASE_URL", "REDIS_URL", "AWS_S3_ENDPOINT_URL", "STORAGE", "DJANGO_ENV"} <= wired
    assert wired <= settings_variables()


def test_every_variable_compose_requires_is_set_in_env_example() -> None:
    required = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?", COMPOSE.read_text()))
    assert required, "expected ${NAME:?message} for the secrets compose cannot default"
    set_in_example = {name for _, name, _, is_set in env_example() if is_set}
    assert required - set_in_example == set()


# --- .env.example -------------------------------------------------------------------------------
def test_env_example_documents_every_variable_the_settings_read() -> None:
    assert settings_variables() - env_example_names() == set()


def test_env_example_documents_nothing_that_is_not_read() -> None:
    assert env_example_names() - settings_variables() - set(NOT_READ_BY_SETTINGS) == set()


def test_env_example_gives_each_variable_once_with_a_comment() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()
    names = [name for _, name, _, _ in env_example()]
    assert len(names) == len(set(names)), "a variable is listed twice"
    for index, name, _, _ in env_example():
        above = lines[index - 1] if index else ""
        assert above.startswith("# ") and not _ASSIGNMENT.match(above), f"{name} has no comment"


def test_env_example_does_not_set_what_compose_overrides() -> None:
    overridden = environment_names(service("web"))
    for _, name, _, is_set in env_example():
        # AWS_STORAGE_BUCKET_NAME is passed through from .env, not overridden.
        if name in overridden and name != "AWS_STORAGE_BUCKET_NAME":
            assert not is_set, f"{name} is set in .env.example but docker-compose.yml overrides it"


def test_env_example_holds_no_real_secret() -> None:
    values = {name: value for _, name, value, _ in env_example()}
    assert values["DJANGO_SECRET_KEY"] == "change-me"
    secret_like = re.compile(r"SECRET|PASSWORD|TOKEN|ACCESS_KEY|_SID$|ROOT_USER")
    # A long token mixing letters and digits, as generated keys and tokens are.
    random_like = re.compile(r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9+/=_\-]{20,}")
    known_shapes = re.compile(r"AKIA[0-9A-Z]{16}|AC[0-9a-f]{32}|SK[0-9a-f]{32}|-----BEGIN")
    for name, value in values.items():
        if secret_like.search(name):
            assert "change-me" in value, f"{name} must be a change-me placeholder"
        for part in re.split(r"[:@/]", value):
            assert "change-me" in part or not random_like.fullmatch(part), f"{name}: {part!r}"
        assert not known_shapes.search(value), name


def _compose_environment(dotenv: dict[str, str]) -> dict[str, str]:
    """What a process of docker-compose.yml gets: .env, then `environment:` interpolated."""
    pattern = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-?])([^}]*))?\})")

    def resolve(match: re.Match[str]) -> str:
        name, kind, argument = match.groups()
        if name is None:
            return "$"
        if dotenv.get(name):
            return dotenv[name]
        assert kind != "?", f"compose would refuse to start: {argument}"
        return argument if kind == "-" else ""

    wired = {
        name: pattern.sub(resolve, value) for name, value in service("web")["environment"].items()
    }
    return dotenv | wired


def _start_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=BASE_ENV | env | {"DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_copy_of_env_example_starts_in_production_once_the_placeholders_are_replaced() -> None:
    dotenv = {name: value for _, name, value, is_set in env_example() if is_set}
    # As copied: production refuses the placeholder key.
    refused = _start_settings(_compose_environment(dotenv))
    assert refused.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in refused.stderr
    # Filled in: nothing else is missing.
    filled = {
        name: secrets.token_hex(32) if "change-me" in value else value
        for name, value in dotenv.items()
    }
    started = _start_settings(_compose_environment(filled))
    assert started.returncode == 0, started.stderr


# --- Dockerfile ---------------------------------------------------------------------------------
def test_image_is_built_on_python_slim_and_runs_as_a_user() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.12-slim-bookworm")
    users = [index for index, (keyword, _) in enumerate(instructions) if keyword == "USER"]
    assert users, "the image must not run as root"
    assert instructions[users[-1]][1].split(":")[0] not in {"root", "0"}
    cmd = next(index for index, (keyword, _) in enumerate(instructions) if keyword == "CMD")
    assert users[-1] < cmd
    assert ("EXPOSE", "8000") in instructions


def test_image_cmd_serves_the_wsgi_application_with_gunicorn() -> None:
    cmd = dockerfile_cmd()
    assert cmd[0] == "gunicorn"
    assert "portal.wsgi:application" in cmd
    assert cmd[cmd.index("--bind") + 1] == "0.0.0.0:8000"
    # Left to WEB_CONCURRENCY and FORWARDED_ALLOW_IPS, which gunicorn reads itself.
    assert not {"--workers", "-w", "--forwarded-allow-ips"} & set(cmd)


def test_the_wsgi_application_freezes_its_start_up_heap() -> None:
    """gc.freeze() once the application is loaded: full collections skip what start-up built."""
    script = "import gc, portal.wsgi; print(gc.get_freeze_count())"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        timeout=60,
    )
    assert int(result.stdout.split()[-1]) > 50_000


def test_build_context_leaves_out_local_state_and_secrets() -> None:
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()}
    assert {".env", ".venv", ".git", "var"} <= ignored


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the image's collectstatic step, with its build-only environment, into a temp dir."""
    step = next(
        arguments
        for keyword, arguments in dockerfile_instructions()
        if keyword == "RUN" and "collectstatic" in arguments
    )
    words = shlex.split(step)
    env = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words[:2] == ["python", "manage.py"], step
    static_root = tmp_path_factory.mktemp("static")
    result = subprocess.run(
        [sys.executable, *words[1:]],
        cwd=ROOT,
        env=BASE_ENV
        | env
        | {"DJANGO_SETTINGS_MODULE": "portal.settings", "STATIC_ROOT": str(static_root)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return static_root


def test_image_collects_static_files_with_the_production_manifest(collected_static: Path) -> None:
    # Production serves them with CompressedManifestStaticFilesStorage: without the manifest
    # every page fails with "Missing staticfiles manifest entry".
    manifest = json.loads((collected_static / "staticfiles.json").read_text())
    assert "css/portal.css" in manifest["paths"]
    assert (collected_static / manifest["paths"]["css/portal.css"]).exists()


# --- The web healthcheck against the real command in production mode ---------------------------
@pytest.fixture(params=["portail.example.fr, autre.example.fr", ".example.fr"])
def production_web(
    request: pytest.FixtureRequest, collected_static: Path, tmp_path: Path
) -> Iterator[tuple[int, dict[str, str]]]:
    """docker-compose.yml's web command, on a free port, with production settings."""
    port = _free_port()
    web = [
        f"127.0.0.1:{port}" if argument == "0.0.0.0:8000" else argument
        for argument in command("web")
    ]
    env = (
        BASE_ENV
        | ALL_BRANCHES_ENV
        | {"DJANGO_ALLOWED_HOSTS": request.param, "STATIC_ROOT": str(collected_static)}
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", *web],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            # Any HTTP answer, even an error, means a worker has booted Django.
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=5).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + log.read_text())
                time.sleep(0.2)
        yield port, env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_web_healthcheck_passes_against_production_settings(
    production_web: tuple[int, dict[str, str]],
) -> None:
    port, env = production_web
    test = service("web")["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    probe = test[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # A load balancer's bare probe (IP host, plain http) is answered too: the health
    # middleware runs before host validation and the HTTPS redirect.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=5) as response:
        assert response.status == 200
