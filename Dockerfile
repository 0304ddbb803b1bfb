# nnviz, following Streamlit's deployment guide: slim Python, CPU-only torch, a non-root user, and a
# healthcheck on Streamlit's own endpoint. Build: docker build -t nnviz .   Run: docker run -p 8501:8501 nnviz
FROM python:3.11-slim

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

COPY --chown=nnviz:nnviz app.py ./
COPY --chown=nnviz:nnviz pages ./pages
COPY --chown=nnviz:nnviz nnviz ./nnviz
COPY --chown=nnviz:nnviz .streamlit ./.streamlit
COPY --chown=nnviz:nnviz deploy/entrypoint.sh ./deploy/entrypoint.sh

USER nnviz
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/_stcore/health', timeout=4)"
ENTRYPOINT ["./deploy/entrypoint.sh"]
