# The tracker worker: collects, estimates, refreshes and mirrors on a schedule.
# Build: docker build -t tracker .     Run one cycle: docker run --rm -v "$PWD/data:/app/data" tracker run
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/app/.matplotlib \
    TRACKER_DATA_DIR=/app/data \
    TRACKER_CONFIG_DIR=/app/configs

# git: only for the optional commit of changed data files (worker.git_commit).
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies in a layer of their own, rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The project itself, and its default configuration (a ./configs volume replaces it).
COPY README.md ./
COPY pipeline ./pipeline
COPY bridge ./bridge
COPY worker ./worker
COPY configs ./configs
RUN pip install --no-deps . \
    && mkdir -p /app/data "$MPLCONFIGDIR" \
    && python -c "import matplotlib.pyplot" \
    && useradd --create-home --uid 1000 --user-group tracker \
    && chown tracker:tracker /app/data \
    && chmod -R a+rwX "$MPLCONFIGDIR"

USER tracker
VOLUME ["/app/data"]

# Healthy while the last cycle succeeded within worker.health_max_age_hours.
HEALTHCHECK --interval=5m --timeout=30s --start-period=15m --retries=3 CMD ["tracker", "health"]

ENTRYPOINT ["tracker"]
CMD ["worker"]
