# One image per app (the legacy builder works: no `# syntax=` image is needed):
#   docker build -f deploy/docker/app.Dockerfile --build-arg APP=llm-server -t model-loader/llm-server .
#   docker build -f deploy/docker/app.Dockerfile --build-arg APP=asr-ocr-server --build-arg PORT=8081 -t model-loader/asr-ocr-server .
# Models are not baked in: mount them at /models (read-only) and point MODELS_FILE at a models file.
#
# The default is a CPU image: node-llama-cpp's CUDA and Vulkan builds are removed. GPU variant of the
# LLM server (see deploy/README.md): --build-arg LLM_GPU=cuda (keeps the CUDA 13 builds) with
# --build-arg RUNTIME_IMAGE=<an image with Node 24 and the CUDA 13 runtime>, or LLM_GPU=vulkan.

ARG NODE_IMAGE=local/node:24-bookworm-slim
ARG RUNTIME_IMAGE=${NODE_IMAGE}

FROM ${NODE_IMAGE} AS build
ENV TURBO_TELEMETRY_DISABLED=1 CI=true
RUN npm install -g pnpm@12.4.2
WORKDIR /src
# Downloads from the lock file alone, so that this layer stays cached while only sources change.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile
# Declared after the install so that both apps' builds share the layers above.
ARG APP
RUN pnpm exec turbo run build --filter=@model-loader/${APP}...
ARG LLM_GPU=false
# A self-contained copy of the one app with its production dependencies only, less what the image
# never runs (other platforms' binaries, GPU builds unless asked for, optional test tooling).
RUN pnpm --filter=@model-loader/${APP} deploy --prod --legacy /out \
  && sh deploy/docker/prune-deploy.sh /out ${LLM_GPU}

FROM ${RUNTIME_IMAGE} AS runtime
ARG PORT=8080
ARG LLM_GPU=false
ENV NODE_ENV=production HOST=0.0.0.0 PORT=${PORT} MODEL_DIR=/models LLM_GPU=${LLM_GPU}
WORKDIR /app
COPY --from=build /out ./
# The app stays owned by root (read-only to the app). It runs as uid 1000 (`node` in the base image),
# numeric so that Kubernetes `runAsNonRoot` can check it. Models are mounted read-only at /models.
USER 1000:1000
VOLUME ["/models"]
EXPOSE ${PORT}
# Liveness only: a slow model load must not make the container unhealthy.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server.js"]
