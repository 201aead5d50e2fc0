# syntax=docker/dockerfile:1.7
# One image per app: build with
#   docker build -f deploy/docker/app.Dockerfile --build-arg APP=llm-server -t model-loader/llm-server .
#   docker build -f deploy/docker/app.Dockerfile --build-arg APP=asr-ocr-server --build-arg PORT=8081 -t model-loader/asr-ocr-server .
# Models are not baked in: mount them at /models (read-only) and point MODELS_FILE at a models file.

ARG NODE_IMAGE=local/node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG APP
ENV TURBO_TELEMETRY_DISABLED=1 CI=true
RUN npm install -g pnpm@12.4.2
WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile
RUN pnpm exec turbo run build --filter=@model-loader/${APP}...
# A self-contained copy of the one app with its production dependencies only.
RUN pnpm --filter=@model-loader/${APP} deploy --prod --legacy /out

FROM ${NODE_IMAGE} AS runtime
ARG PORT=8080
ENV NODE_ENV=production HOST=0.0.0.0 PORT=${PORT} MODEL_DIR=/models
WORKDIR /app
COPY --from=build --chown=node:node /out ./
# Non-root: the image's `node` user (uid 1000). Models are mounted read-only at /models.
USER node
VOLUME ["/models"]
EXPOSE ${PORT}
# Liveness only: a slow model load must not make the container unhealthy.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server.js"]
