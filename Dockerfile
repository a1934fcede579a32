# One image for the Python side of staging: the proxy (`parity proxy`), the runner (`python -m runner`),
# operator commands (`parity seed-sounds`, `parity results`), and the primary (the real vibe-kanban 0.0.71
# binary, fetched from npm by `parity fetch-primary` at first start and cached in /cache).
FROM python:3.12-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY comparators comparators
COPY shadow shadow
COPY runner runner
# A C compiler only for the build: comparators/_scan.c (the engine's byte scans) is compiled, then removed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install --no-cache-dir . \
    && python -c "import comparators.scan as s; assert s.NATIVE, 'comparators._scan was not built'" \
    && apt-get purge -y gcc libc6-dev && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

ENV PARITY_CACHE_DIR=/cache
VOLUME ["/cache", "/data"]
ENTRYPOINT []
CMD ["parity", "--help"]
