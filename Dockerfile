# One image for the Python side of staging: the proxy (`parity proxy`), the runner (`python -m runner`),
# operator commands (`parity seed-sounds`, `parity results`), and the primary (the real vibe-kanban 0.0.71
# binary, fetched from npm by `parity fetch-primary` at first start and cached in /cache).
FROM python:3.12-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY comparators comparators
COPY shadow shadow
COPY runner runner
RUN pip install --no-cache-dir .

ENV PARITY_CACHE_DIR=/cache
VOLUME ["/cache", "/data"]
ENTRYPOINT []
CMD ["parity", "--help"]
