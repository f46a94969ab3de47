#!/usr/bin/env bash
# Start Parley on http://127.0.0.1:8000: migrate, load the demo if the database is
# empty, then the web server and (with REDIS_URL) a Celery worker and beat.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.local}
PORT=${PORT:-8000}

$BIN/python manage.py migrate --noinput
$BIN/python manage.py load_demo

# A key for the Perspective-compatible API (README, "Replacing the Perspective
# API"), so its curl example works at once; made again if the database lost it.
KEY_FILE=var/perspective-demo-key.txt
if [ ! -s "$KEY_FILE" ] || ! $BIN/python manage.py scoring_key list | grep -q "^demo"$'\t'".*live$"; then
  mkdir -p var
  $BIN/python manage.py scoring_key create demo --replace --qps 20 2>/dev/null > "$KEY_FILE"
fi

pids=()
cleanup() { for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [ -n "${REDIS_URL:-}" ]; then
  echo "Scoring in a Celery worker (broker $REDIS_URL)."
  $BIN/celery -A config worker -Q scoring,default --concurrency 1 --loglevel INFO &
  pids+=($!)
  $BIN/celery -A config beat --loglevel INFO --schedule var/celerybeat-schedule &
  pids+=($!)
else
  echo "No REDIS_URL: comments are scored in the web process (tasks run in-process)."
fi

echo "Parley is starting on http://127.0.0.1:$PORT  (Ctrl-C stops everything)"
[ -f var/demo-credentials.txt ] && cat var/demo-credentials.txt
echo "Perspective API: http://127.0.0.1:$PORT/v1alpha1/comments:analyze?key=$(cat "$KEY_FILE")"
$BIN/python manage.py runserver "127.0.0.1:$PORT" --noreload
