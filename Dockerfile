# Gatehouse: `gatehouse serve` in a container (docs/deployment.md).
#
# The build stage runs the same commands as the packaging test
# (npm ci, npm run build); the final stage holds the built JavaScript and
# production dependencies only, runs as the unprivileged `node` user, and
# reports health from /healthz with node itself (no curl in the image).

FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and @node-rs/argon2 install prebuilt binaries; the toolchain is the fallback for
# platforms without one, and never reaches the final image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
COPY packages/ packages/
COPY examples/ examples/
RUN npm ci --no-audit --no-fund
# The rest (tsconfig files, schema, …) as the build needs it; .dockerignore keeps out local state.
COPY . .
RUN npm run build
# Production dependencies only: drops TypeScript, vitest, tsx, the benchmarks' references.
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/packages ./packages
COPY --from=build --chown=root:root /app/examples ./examples
# The code is root-owned and read-only to the process; state lives in PostgreSQL (or a mounted
# SQLite directory owned by node).
RUN mkdir -p /var/lib/gatehouse /etc/gatehouse && chown node:node /var/lib/gatehouse
USER node
EXPOSE 4000 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "packages/cli/dist/bin.js"]
CMD ["serve", "--config", "/etc/gatehouse/gatehouse.yaml", "--host", "0.0.0.0", "--port", "4000"]
