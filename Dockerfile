# The production image: one image for the three kinds of process (web, worker, beat), chosen by
# the command. docker-compose.yml shows how they are wired; tests/test_deployment.py checks both.
#
#   docker build -t masanteconnectee/portal .
#
# The image holds no secret and no configuration: everything comes from the environment at run
# time (see .env.example).
FROM python:3.12-slim-bookworm

# STATIC_ROOT: collected at build time below, outside VAR_DIR so that a volume there cannot hide
# the files.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    STATIC_ROOT=/app/staticfiles

# Runtime libraries: Pango/HarfBuzz and a font for WeasyPrint (receipt PDFs), libmagic (file type
# sniffing), gettext for msgfmt, Ghostscript for the virtual printer. The same list as scripts/bootstrap.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
        libmagic1 gettext ghostscript \
    && rm -rf /var/lib/apt/lists/*

# The processes run as an unprivileged user; the code stays owned by root, read-only to it.
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --create-home --home-dir /home/portal \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the pins change.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# Translations: .mo files are not versioned (nor sent to the build, see .dockerignore).
RUN for po in locale/*/LC_MESSAGES/django.po; do \
        msgfmt --check-format -o "${po%.po}.mo" "$po" || exit 1; \
    done

# Static files. In production the settings serve them with WhiteNoise's
# CompressedManifestStaticFilesStorage, which needs the manifest (staticfiles.json) that only a
# collectstatic run *in production mode* writes: collected in development mode, every page fails
# with "Missing staticfiles manifest entry". Production mode refuses to start without its
# variables, so this one command gets build-only stand-ins. They live in this RUN only (not in
# the image's environment), and collectstatic connects to nothing: no database, no Redis, no SMS.
RUN DJANGO_ENV=production \
    DJANGO_SECRET_KEY=build-only-collectstatic-stand-in-never-used-at-run-time \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    TWILIO_ACCOUNT_SID=build-only \
    TWILIO_AUTH_TOKEN=build-only \
    TWILIO_FROM=build-only \
    SITE_URL=https://build.invalid \
    python manage.py collectstatic --noinput -v 0

# VAR_DIR: the mount point of beat's schedule volume (a fresh named volume copies this ownership).
RUN mkdir -p var/beat && chown -R portal:portal var

USER portal

EXPOSE 8000

# gunicorn reads two variables natively, so none is fixed here:
#   WEB_CONCURRENCY      number of worker processes (--workers); gunicorn's default is 1.
#   FORWARDED_ALLOW_IPS  the proxies trusted for X-Forwarded-Proto (--forwarded-allow-ips);
#                        default 127.0.0.1,::1. Behind the TLS-terminating load balancer set it to
#                        the balancer's address(es), or "*" when port 8000 is reachable by the
#                        balancer only (docker-compose.yml publishes it on 127.0.0.1).
# Passing --forwarded-allow-ips here would override that variable. Note that Django trusts
# X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER), whatever gunicorn does, and that gunicorn
# never rewrites REMOTE_ADDR from X-Forwarded-For: the balancer must overwrite X-Forwarded-Proto,
# and port 8000 must not be reachable from anywhere else.
# /dev/shm for the worker heartbeat files: a container's overlay filesystem can stall them.
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
