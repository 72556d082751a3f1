# The helpdesk server image: API + migrations in one binary (`helpdesk serve` migrates, then
# serves). It lives at the repository root because the build needs the whole Cargo workspace
# (Cargo.toml, Cargo.lock, shared/, functions/, migrations/): `docker build .` just works.
# The SPA and nginx are frontend/Dockerfile; docker-compose.yml wires both to PostgreSQL.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
# Every workspace member is copied so Cargo resolves the workspace; only `helpdesk` is built.
COPY Cargo.toml Cargo.lock ./
COPY shared shared
COPY functions functions
COPY migrations migrations
# Dependency caching: the crate registry and the target folder are BuildKit cache mounts, so a
# rebuild recompiles only what changed, with no stub sources to keep in step with the members.
# A cache mount is not part of the image, hence the copy out of it in the same step.
# Profile `container` (root Cargo.toml): release without fat LTO, and with unwinding panics.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --locked --profile container --package helpdesk --bin helpdesk \
    && install -D --mode=0755 target/container/helpdesk /out/helpdesk

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# CA certificates for the language-model API over TLS; curl for the health check.
# Versions are not pinned: the suite's security updates should land on every rebuild.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 helpdesk \
    && useradd --system --uid 10001 --gid helpdesk --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin helpdesk
COPY --from=build /out/helpdesk /usr/local/bin/helpdesk
# Numeric so that orchestrators enforcing "run as non-root" can verify it without /etc/passwd.
USER 10001:10001
ENV BIND_ADDR=0.0.0.0:8080 \
    RUST_LOG=info
EXPOSE 8080
# Generous start period: start-up waits up to 60 s for the database, then migrates.
HEALTHCHECK --interval=5s --timeout=3s --start-period=90s --retries=3 \
    CMD ["curl", "--fail", "--silent", "--show-error", "--output", "/dev/null", "http://127.0.0.1:8080/api/health"]
# Exec form: the binary is PID 1 and gets SIGTERM itself (it drains requests for up to 30 s).
ENTRYPOINT ["/usr/local/bin/helpdesk"]
CMD ["serve"]
