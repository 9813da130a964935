# One image for every app; the compose file picks the app with APP. Apps run their TypeScript
# through tsx (no build step), with the workspace installed from the lockfile.
FROM node:20-bookworm-slim
RUN npm i -g pnpm@12.21.0
WORKDIR /srv
COPY pnpm-workspace.yaml package.json pnpm-lock.yaml .npmrc ./
COPY patches ./patches
COPY apps ./apps
COPY packages ./packages
COPY bench ./bench
COPY drizzle ./drizzle
COPY scripts ./scripts
COPY tsconfig.base.json tsconfig.json drizzle.config.ts ./
RUN pnpm install --frozen-lockfile
ENV NODE_ENV=production
# The audit spool (LOG_SPOOL_DIR): created here and owned by `node`, so a named volume mounted on it
# starts with this ownership and the apps can write it. One volume may serve every container: files
# are claimed under a refreshed lease, not by hostname + PID (see packages/logger/src/write/spool.ts).
RUN mkdir -p /spool && chown node:node /spool
ENV LOG_SPOOL_DIR=/spool
USER node
# APP is scheduler | email-worker | room-worker | payout-worker | maintenance-worker | outbox-relay | dashboard
CMD ["sh", "-c", "exec node --import tsx apps/${APP}/src/main.ts"]
