#!/bin/sh
# The one command that serves nnviz: the Docker image's ENTRYPOINT, each replica behind nginx, and the
# deploy test all run exactly this. It starts ONE Streamlit process, which uses at most about one core (one
# Python interpreter, one GIL), so the deployment runs one per core: on N cores, N of them (PORT=8501, 8502, ...)
# behind deploy/nginx/nnviz.conf.
#
#   PORT      port to listen on (default 8501)
#   ADDRESS   interface to bind (default 0.0.0.0; 127.0.0.1 behind a local proxy)
#   STREAMLIT_SERVER_COOKIE_SECRET   must be the SAME on every replica behind one proxy (Streamlit reads it);
#                                    generate it once:  python -c "import secrets; print(secrets.token_urlsafe(32))"
#   NNVIZ_COOKIE_SECRET_FILE         or: a file holding it (a Docker/Kubernetes secret), read at start
#   NNVIZ_TORCH_THREADS              torch threads per process (default 1: many users, few cores)
#   NNVIZ_WARMUP                     0: no background torch import after the first page (default 1)
set -eu
cd "$(dirname "$0")/.."
if [ -n "${NNVIZ_COOKIE_SECRET_FILE:-}" ]; then
  STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$NNVIZ_COOKIE_SECRET_FILE")"
  export STREAMLIT_SERVER_COOKIE_SECRET
fi
if [ -z "${STREAMLIT_SERVER_COOKIE_SECRET:-}" ]; then
  echo "entrypoint: STREAMLIT_SERVER_COOKIE_SECRET is not set; fine for one replica, required for several" >&2
fi
exec python3 -m streamlit run app.py \
  --server.port "${PORT:-8501}" \
  --server.address "${ADDRESS:-0.0.0.0}" \
  --server.headless true \
  --server.fileWatcherType none \
  --server.runOnSave false \
  --browser.gatherUsageStats false \
  --client.showErrorDetails none
