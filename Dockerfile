# One image for every app; the compose file picks the app with APP. Two stages: the build stage
# installs the workspace and compiles each app to one JavaScript bundle; the runtime stage holds only
# the bundles and each app's production dependencies (scripts/deploy-apps.mjs, `pnpm deploy --prod`),
# and runs them with plain node as a non-root user. No sources, tests, benchmarks or dev dependencies.
FROM node:24-bookworm-slim AS build
RUN npm i -g pnpm@12.21.0
WORKDIR /repo
COPY . .
RUN pnpm install --frozen-lockfile
RUN pnpm build
RUN node scripts/deploy-apps.mjs /out

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /srv
COPY --from=build /out ./
# The audit spool (LOG_SPOOL_DIR): created here and owned by `node`, so a named volume mounted on it
# starts with this ownership and the apps can write it. One volume may serve every container: files
# are claimed under a refreshed lease, not by hostname + PID (see packages/audit-log/src/write/spool.ts).
RUN mkdir -p /spool && chown node:node /spool
ENV LOG_SPOOL_DIR=/spool
USER node
# APP is scheduler | email-worker | room-worker | payout-worker | maintenance-worker | outbox-relay | dashboard
# `exec` replaces the shell with node: node is PID 1 and receives SIGTERM from `docker stop` itself.
# The node flags are NODE_FLAGS of scripts/apps.mjs (scripts/node-flags.test.ts checks they agree).
CMD ["sh", "-c", "exec node apps/${APP}/dist/main.js"]
