# ClipNET's API and worker: one image, two roles (docs/deploy.md).
#
#   docker build -t clipnet .
#   docker run clipnet api        # clipnet serve on $PORT (default 8000)
#   docker run clipnet worker     # clipnet worker
#   docker run clipnet migrate    # clipnet db upgrade, then exit
#
# Nothing secret is baked in: every CLIPNET_* secret comes from the environment at run time.
# EXTRAS adds optional dependency groups, e.g. --build-arg EXTRAS=whisper for a worker that
# transcribes on its own CPU (CLIPNET_INFERENCE=local) instead of on the RunPod server.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# -- build: ClipNET and its dependencies in a virtual environment ---------------------------------
FROM ${PYTHON_IMAGE} AS build
ARG EXTRAS=""
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/clipnet
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/clipnet/bin/pip install ".${EXTRAS:+[$EXTRAS]}"

# -- run: the virtual environment, FFmpeg from Debian, an unprivileged user -----------------------
FROM ${PYTHON_IMAGE} AS run
# ffmpeg: cutting, polishing, analysis; fonts-dejavu-core: the captions' font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 clipnet \
    && useradd --system --uid 10001 --gid clipnet --home-dir /var/lib/clipnet \
       --create-home --shell /usr/sbin/nologin clipnet
COPY --from=build /opt/clipnet /opt/clipnet
COPY deploy/entrypoint.sh /usr/local/bin/clipnet-entrypoint
ENV PATH=/opt/clipnet/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CLIPNET_DATA_DIR=/var/lib/clipnet \
    CLIPNET_HOST=0.0.0.0 \
    PORT=8000
USER clipnet
WORKDIR /var/lib/clipnet
EXPOSE 8000
# The API's liveness probe (the process answers); readiness, /health/ready, also asks the
# database and the broker. Worker containers have no HTTP server: compose.yaml turns this off
# for them.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/health/live', timeout=4)"]
ENTRYPOINT ["clipnet-entrypoint"]
CMD ["api"]
