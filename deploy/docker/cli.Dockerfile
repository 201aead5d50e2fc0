# The `model-loader` command, used as the Kubernetes init container that verifies the model volume
# against the lock file before a serving pod starts:
#   docker build -f deploy/docker/cli.Dockerfile -t model-loader/cli .

ARG NODE_IMAGE=local/node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ENV TURBO_TELEMETRY_DISABLED=1 CI=true
RUN npm install -g pnpm@12.4.2
WORKDIR /src
# Downloads from the lock file alone, so that this layer stays cached while only sources change.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile
RUN pnpm exec turbo run build --filter=@model-loader/cli...
RUN pnpm --filter=@model-loader/cli deploy --prod --legacy /out && sh deploy/docker/prune-deploy.sh /out

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out ./
# uid 1000 is `node` in the base image; numeric so that Kubernetes `runAsNonRoot` can check it.
USER 1000:1000
ENTRYPOINT ["node", "/app/dist/bin.js"]
CMD ["--help"]
