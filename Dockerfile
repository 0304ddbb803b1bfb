# nnviz, following Streamlit's deployment guide: slim Python, CPU-only torch, a non-root user, and a
# healthcheck on Streamlit's own endpoint. Build: docker build -t nnviz .   Run: docker run -p 8501:8501 nnviz
#
# One container is ONE Streamlit process, and one process runs every session's script under one Python
# interpreter (one GIL): it uses at most about one core. On a machine with N cores run N containers, one per
# core (docker run --cpus=1 ...), all with the same cookie secret, behind nginx (deploy/nginx/nnviz.conf).
# deploy/README.md has the whole hosted setup.
#
# The base is pinned by version (Python 3.11 patch release, Debian 12). Pin it by digest as well where you
# build: `docker buildx imagetools inspect python:3.11.13-slim-bookworm` prints it; then write
# FROM python:3.11.13-slim-bookworm@sha256:<digest>. (No registry can be asked for the digest from where this
# file was written.)
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    NNVIZ_TORCH_THREADS=1 \
    PORT=8501

WORKDIR /app
RUN useradd --create-home --uid 10001 nnviz

# CPU-only torch first, so requirements.txt's torch==2.13.0 is already satisfied (no CUDA packages).
COPY requirements.txt .
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && pip install -r requirements.txt

# The app's files belong to root and nobody may write them: the runtime user can read and run the app but not
# change a page, a precomputed result or the config. Byte code is compiled here, once, for the same reason.
COPY app.py ./
COPY pages ./pages
COPY nnviz ./nnviz
COPY .streamlit ./.streamlit
COPY deploy/entrypoint.sh ./deploy/entrypoint.sh
RUN python -m compileall -q app.py pages nnviz \
 && chmod -R a-w /app \
 && chmod a+rx /app/deploy/entrypoint.sh

USER nnviz
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/_stcore/health', timeout=4)"
ENTRYPOINT ["./deploy/entrypoint.sh"]
