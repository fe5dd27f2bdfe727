#!/bin/sh
# The image's entrypoint: its first argument chooses the role (docs/deploy.md).
#   api      clipnet serve on $CLIPNET_HOST:$PORT (Railway and Heroku-style hosts set PORT)
#   worker   clipnet worker (background jobs)
#   migrate  clipnet db upgrade (safe to run again), then exit
# Anything else runs as given, e.g. `docker run clipnet clipnet jobs`.
set -eu
role="${1:-api}"
[ "$#" -gt 0 ] && shift
case "$role" in
  api) exec clipnet serve --host "${CLIPNET_HOST:-0.0.0.0}" --port "${PORT:-8000}" "$@" ;;
  worker) exec clipnet worker "$@" ;;
  migrate) exec clipnet db upgrade "$@" ;;
  *) exec "$role" "$@" ;;
esac
