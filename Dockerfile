# syntax=docker/dockerfile:1
# The podium image: one `podium` command for every role (serve, migrate, agent, worker).
# Build:  docker build -t podium:0.1.0 .      (not built in this repository's CI: it has no docker engine)

# --- build: a wheel of podium, installed with its runtime dependencies pinned by requirements.lock ---
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY src ./src
# The lock lists the dev extras too; used as constraints it pins the versions of what the wheel needs
# without installing test tools into the image.
RUN python -m pip wheel --no-deps --wheel-dir /wheels . \
 && python -m venv /opt/podium \
 && /opt/podium/bin/pip install --constraint requirements.lock /wheels/podium-*.whl \
 && /opt/podium/bin/podium --help > /dev/null

# --- runtime: the virtual environment only, run by a non-root user (uid 1001, as the charts expect) ---
FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 1001 podium \
 && useradd --system --uid 1001 --gid 1001 --home-dir /var/lib/podium --create-home \
            --shell /usr/sbin/nologin podium
# Same path as in the build stage: the venv's scripts name their interpreter by absolute path.
COPY --from=build /opt/podium /opt/podium
ENV PATH=/opt/podium/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /var/lib/podium
USER 1001:1001
# gRPC, then HTTP (/metrics, /healthz).
EXPOSE 9000 8484
ENTRYPOINT ["podium"]
CMD ["serve"]
