#!/bin/sh
# The one command that serves nnviz: the Docker image's ENTRYPOINT, each replica behind nginx, and the
# deploy test all run exactly this.
#
#   PORT      port to listen on (default 8501)
#   ADDRESS   interface to bind (default 0.0.0.0; 127.0.0.1 behind a local proxy)
#   STREAMLIT_SERVER_COOKIE_SECRET   must be the SAME on every replica behind one proxy (Streamlit reads it)
#   NNVIZ_TORCH_THREADS              torch threads per process (default 1: many users, few cores)
set -eu
cd "$(dirname "$0")/.."
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
