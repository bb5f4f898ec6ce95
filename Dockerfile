# syntax=docker/dockerfile:1
# customer-success-mcp: an MCP server over stdio. Run it with stdin attached (`docker run -i`,
# `docker compose run -T`); see docker/README.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install everything, generate the Prisma client, compile, then drop dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# The Prisma CLI would download its schema engine (from a host outside the npm registry) on install and
# on `prisma generate`. Neither needs it: pointing PRISMA_SCHEMA_ENGINE_BINARY at a stub skips the download
# in @prisma/engines' postinstall, and scripts/prisma-generate.mjs uses the same variable. Migrations are
# applied at run time by the server's own runner, never by the Prisma CLI.
ENV PRISMA_SCHEMA_ENGINE_BINARY=/usr/local/bin/prisma-schema-engine-stub \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    CHECKPOINT_DISABLE=1
RUN printf '#!/bin/sh\necho "prisma schema engine: not used in this build" >&2\nexit 1\n' > "$PRISMA_SCHEMA_ENGINE_BINARY" \
 && chmod 0755 "$PRISMA_SCHEMA_ENGINE_BINARY"

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

COPY . .
# --omit=optional as well: the Prisma CLI and TypeScript are optional peers of @prisma/client ("devOptional"
# in the lockfile), which --omit=dev alone keeps. The only other optional package, pg-cloudflare, is used
# on Cloudflare Workers only.
RUN npm run build \
 && npm prune --omit=dev --omit=optional --no-audit --no-fund

# ---- runtime: compiled code, production node_modules, migrations; non-root; tini as PID 1 ----
FROM ${NODE_IMAGE} AS runtime

LABEL org.opencontainers.image.title="customer-success-mcp" \
      org.opencontainers.image.description="Customer Success MCP server (stdio)" \
      org.opencontainers.image.licenses="MIT"

RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    CS_MCP_DATA_DIR=/data

WORKDIR /app
# Owned by root and read-only for the `node` user that runs the server; only /data is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma/migrations ./prisma/migrations

# `cs-mcp` on PATH (dist/src/cli.js has a node shebang and is made executable by the build), and the
# embedded database's directory, private to the `node` user. A named volume mounted here starts with
# this owner and mode.
RUN ln -s /app/dist/src/cli.js /usr/local/bin/cs-mcp \
 && install -d -o node -g node -m 0700 /data
VOLUME ["/data"]

USER node

# `cs-mcp doctor` exits 1 when a check is failing (database unreachable or migrations pending, Redis
# configured but unreachable, invalid configuration). An integration that is not configured is not a failure.
# With the embedded database, a running server holds the data directory's lock and doctor reports it as ok;
# the generous timeout covers a doctor that has to initialise a new data directory itself (about 20 s).
# BACKUP_TARGET is dropped for this check: a stale backup is an operator's alert (doctor run by hand or by the
# backup job), not a reason to restart a serving container.
HEALTHCHECK --interval=30s --timeout=60s --start-period=60s --retries=3 \
    CMD ["env", "-u", "BACKUP_TARGET", "node", "/app/dist/src/cli.js", "doctor"]

ENTRYPOINT ["/usr/bin/tini", "--"]
# MCP over stdio (the default command, `serve`). stdin must stay attached: when it closes, the server exits.
CMD ["node", "dist/src/cli.js"]
