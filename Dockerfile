# opend: the CKAN-compatible Action API server.
#
#   docker build -t opend .
#   docker run -p 8080:8080 -v opend-data:/data opend
#
# Without DATABASE_URL the embedded PGlite database lives in the /data volume
# and the demo catalog is loaded into it on first start. With
# -e DATABASE_URL=postgres://... the volume stays empty. Set OPEND_SITE_URL to
# the public address, or the `help` links point at 127.0.0.1.

# ---- build: compile TypeScript to dist/src and dist/migrations (tsconfig rootDir is '.')
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (= build) needs the sources, copied below, and the
# only dependency install script (esbuild's) serves tsx, which the build does not use
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# ---- runtime: production dependencies and the compiled code only
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist

# A named volume starts as a copy of the image's /data, owner included, so the
# unprivileged user can write the embedded database there.
RUN mkdir -p /data && chown node:node /data
USER node

ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 OPEND_DATA_DIR=/data
VOLUME /data
EXPOSE 8080

# slim images have no curl; Node 20 has fetch. start-period covers the first
# start, which migrates and loads the demo catalog before listening. /api/3
# answers without a key even in gateway mode (OPEND_REQUIRE_API_KEY).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/api/3').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

CMD ["node", "dist/src/cli.js", "serve"]
