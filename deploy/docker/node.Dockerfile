# syntax=docker/dockerfile:1
#
# One image recipe for every NestJS service of apps/: the build arg APP names the folder.
#   docker build -f deploy/docker/node.Dockerfile --build-arg APP=normalizer -t citypulse/normalizer .
# (context: the repository root; .dockerignore keeps node_modules, dist, .stack and .env out).
#
# Stages:
#   build    pnpm (through corepack, the version pinned in package.json's packageManager) fetches
#            every package of the lockfile into the store - a step that only reruns when
#            pnpm-lock.yaml changes - then installs the workspace from it, builds APP and the libs it
#            depends on (tsc, in dependency order), and `pnpm deploy`s APP with its production
#            dependencies only into /out: a self-contained folder with dist/ and a flat
#            node_modules, the workspace libs (libs/*) copied in as ordinary packages.
#   runtime  node:20-slim with /out, run as the unprivileged `node` user. No pnpm, no compiler,
#            no sources of other apps.

ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS base
# corepack bundled with older Node 20 images cannot verify pnpm releases signed with npm's newer
# registry key ("Cannot find matching keyid"); a pinned recent corepack can.
ARG COREPACK_VERSION=0.34.6
ENV PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH \
    COREPACK_ENABLE_DOWNLOAD_PROMPT=0 \
    TURBO_TELEMETRY_DISABLED=1 \
    CI=true
RUN npm install --global --no-fund --no-audit "corepack@${COREPACK_VERSION}" && corepack enable
WORKDIR /repo

FROM base AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# 1. pnpm itself, then the package store from the lockfile alone (cached until the lockfile changes)
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
# pnpm applies patches/ (patchedDependencies) at install; the lockfile records their hashes
COPY patches ./patches
RUN corepack install
RUN --mount=type=cache,id=citypulse-pnpm-store,target=/pnpm/store \
    pnpm fetch --frozen-lockfile

# 2. the sources, an install of the whole workspace from that store (the build needs the root's dev
#    tools: typescript, @types/*), and the build of APP and its workspace dependencies. --prefer-offline
#    rather than --offline: BuildKit may have pruned the cache mount while the fetch layer stayed cached.
COPY . .
RUN --mount=type=cache,id=citypulse-pnpm-store,target=/pnpm/store \
    pnpm install --prefer-offline --frozen-lockfile
# APP only from here on, so the layers above are shared by every app's image
ARG APP
RUN set -eu; \
    if [ -z "${APP:-}" ] || [ ! -f "apps/${APP}/package.json" ]; then \
      echo "build arg APP must name a folder of apps/ (one of: $(echo apps/* | sed "s#apps/##g"))" >&2; exit 1; \
    fi
RUN pnpm --filter "{./apps/${APP}}..." run build

# 3. APP with production dependencies only, without its sources and test setup
RUN --mount=type=cache,id=citypulse-pnpm-store,target=/pnpm/store \
    pnpm --filter "{./apps/${APP}}" deploy --prod --prefer-offline /out \
 && rm -rf /out/src /out/test /out/jest*.config.js /out/tsconfig*.json \
 && test -f /out/dist/main.js

FROM ${NODE_IMAGE} AS runtime
ARG APP
ENV NODE_ENV=production \
    CITYPULSE_APP=${APP}
WORKDIR /app
COPY --from=build --chown=1000:1000 /out/ ./
# the image's unprivileged `node` user, by id so runAsNonRoot-style checks can verify it
USER 1000:1000
# Every service starts with `node dist/main.js` (its package.json "start"); configuration comes from
# the environment only (libs/config validates it and lists every bad variable, exit 78).
# The healthcheck is in docker-compose.yml: GET /health/ready on the service's *_METRICS_PORT.
CMD ["node", "dist/main.js"]
