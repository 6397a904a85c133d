# syntax=docker/dockerfile:1
# trailwarden as a container image:
#
#   docker build -t trailwarden .
#   docker run --rm -v ~/.aws:/home/nonroot/.aws:ro trailwarden check
#   docker run --rm -v "$PWD:/work" trailwarden check --snapshot account.json --format sarif -o trailwarden.sarif
#
# Two stages: `build` compiles trailwarden (and, through host/build.rs, the built-in rule packs
# for wasm32) and compiles those packs into a module cache for the runtime user; the runtime
# stage is distroless (glibc, CA certificates, no shell, no package manager) and runs as the
# unprivileged user `nonroot` (uid 65532) with that cache in its home, so a check does not
# compile the packs first. Compiled code is specific to the CPU features it was compiled for:
# on a machine unlike the one that built the image, trailwarden compiles again once into the
# same cache, which that user owns (trailwarden refuses a cache others could write).
#
# host/tests/container.rs checks this file (stages, user, sources, commands); the image build
# itself is not exercised by the test suite, which runs where there is no container engine.

ARG RUST_VERSION=1.95.0

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
# rust-toolchain.toml pins the Rust and asks for the wasm32 target the built-in packs need.
COPY rust-toolchain.toml ./
RUN rustup target add wasm32-unknown-unknown
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked -p trailwarden \
    && install -D -m 0755 target/release/trailwarden /out/trailwarden
# The runtime user's home, with the built-in packs compiled into its default cache
# (~/.cache/trailwarden/modules) and whatever else trailwarden keeps per user there.
RUN mkdir -p /home/nonroot \
    && HOME=/home/nonroot /out/trailwarden rules precompile \
    && /out/trailwarden --version

FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
COPY --from=build /out/trailwarden /usr/local/bin/trailwarden
COPY --from=build --chown=65532:65532 /home/nonroot /home/nonroot
ENV HOME=/home/nonroot
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/trailwarden"]
CMD ["--help"]
