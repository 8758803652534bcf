# syntax=docker/dockerfile:1
# One image per app from this one file, built from the repository root:
#
#   docker build --build-arg SERVICE=ticketing --build-arg PORT=3002 -t ensoras/ticketing .
#
# SERVICE is a folder under apps/ and PORT the port it serves: channel-config 3001, ticketing 3002, ai-responder 3003,
# mail-ingest 3004, mail-outbound 3005, console 3000 (the defaults of each app's environment class; the pair is checked
# below, so a typo fails the build instead of shipping an image whose healthcheck asks the wrong port).
# The five services also ship `dist/migrate.js`: `docker run … node apps/<service>/dist/migrate.js` migrates the
# schema and exits (the Kubernetes migrations Job, infra/k8s).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS prune
ARG SERVICE
ARG PORT
RUN case "${SERVICE}:${PORT}" in \
      channel-config:3001|ticketing:3002|ai-responder:3003|mail-ingest:3004|mail-outbound:3005|console:3000) ;; \
      *) echo "Build with --build-arg SERVICE=<app> --build-arg PORT=<its port>: channel-config 3001, ticketing 3002, ai-responder 3003, mail-ingest 3004, mail-outbound 3005, console 3000 (got '${SERVICE}' '${PORT}')" >&2; exit 1 ;; \
    esac
WORKDIR /repo
# The turbo of package.json (devDependencies), so the prune matches what the repository builds with.
RUN npm install -g turbo@2.11.11 --no-audit --no-fund
COPY . .
# Only this app and the workspace packages it depends on, with a lockfile cut down to them.
RUN turbo prune "@ensoras/${SERVICE}" --docker

FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /repo
# The manifests first: the npm ci layer stays cached until a dependency changes.
COPY --from=prune /repo/out/json/ .
# With the development dependencies: TypeScript, and for the console vite, React and Mantine (apps/console/dist/web).
RUN npm ci --no-audit --no-fund
COPY --from=prune /repo/out/full/ .
COPY tsconfig.base.json ./
RUN npx turbo run build --filter="@ensoras/${SERVICE}..."
# What runs is dist/ and the production dependencies: no sources, no compilers, and not the optional embedded
# PostgreSQL binaries (a container always has DATABASE_URL) nor other optional native helpers.
RUN npm prune --omit=dev --omit=optional --no-audit --no-fund \
 && rm -rf node_modules/.cache apps/*/src apps/*/web packages/*/src \
 && find apps packages -maxdepth 2 -name 'tsconfig*.json' -delete

FROM ${NODE_IMAGE}
ARG SERVICE
ARG PORT
# HOST 0.0.0.0: reachable from outside the container. DATA_DIR: the one writable place (also an emptyDir in k8s).
ENV NODE_ENV=production SERVICE=${SERVICE} HOST=0.0.0.0 PORT=${PORT} DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the process: only /data is its own (readOnlyRootFilesystem in infra/k8s).
COPY --from=build /repo/package.json ./
COPY --from=build /repo/node_modules ./node_modules
COPY --from=build /repo/packages ./packages
COPY --from=build /repo/apps ./apps
RUN mkdir -p /data && chown node:node /data
# The numeric id of `node` in the official images, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE ${PORT}
# No curl or wget in the node images: node's own fetch. Readiness, as compose's depends_on should wait for it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A shell that execs node: SERVICE is expanded, and node becomes PID 1, so SIGTERM reaches Nest's shutdown hooks
# (drain NATS, finish in-flight work) directly.
CMD ["sh", "-c", "exec node \"apps/${SERVICE}/dist/main.js\""]
