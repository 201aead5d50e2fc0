#!/bin/sh
# Removes from a `pnpm deploy --prod` folder what the image never runs, so that the CPU image
# carries no CUDA or Vulkan binary (node-llama-cpp installs them all as optional dependencies:
# 600 MB) and no native build for another OS or CPU.
# Usage: prune-deploy.sh DIR [LLM_GPU]   LLM_GPU: false (default) | cuda | vulkan | auto
#   false  only node-llama-cpp's CPU build for this CPU
#   cuda   plus @node-llama-cpp/linux-<arch>-cuda and -cuda-ext
#   vulkan plus @node-llama-cpp/linux-<arch>-vulkan
#   auto   every node-llama-cpp build for this CPU (it picks one at start)
set -eu
out=$1
gpu=${2:-false}
store=$out/node_modules/.pnpm
[ -d "$store" ] || { echo "prune-deploy: no $store (run pnpm deploy --legacy first)" >&2; exit 1; }
arch=$(node -p process.arch)
before=$(du -sm "$out" | cut -f1)

case "$gpu" in false | cuda | vulkan | auto) ;; *)
  echo "prune-deploy: LLM_GPU must be false, cuda, vulkan or auto, not '$gpu'" >&2; exit 2 ;;
esac

# node-llama-cpp's prebuilt llama.cpp, one package per platform and GPU backend.
for dir in "$store"/@node-llama-cpp+*; do
  [ -d "$dir" ] || continue
  name=${dir##*/@node-llama-cpp+}
  name=${name%@*}
  keep=no
  case "$gpu:$name" in
    *:"linux-$arch") keep=yes ;;
    cuda:"linux-$arch-cuda" | cuda:"linux-$arch-cuda-ext") keep=yes ;;
    vulkan:"linux-$arch-vulkan") keep=yes ;;
    auto:"linux-$arch-"*) keep=yes ;;
  esac
  [ "$keep" = yes ] || rm -rf "$dir"
done
# The llama.cpp sources node-llama-cpp builds from when no prebuilt binary fits: the adapter never
# builds (`build: 'never'`).
rm -rf "$store"/node-llama-cpp@*/node_modules/node-llama-cpp/llama/gitRelease.bundle

# onnxruntime-node ships the binaries of every OS and CPU in one package.
for bin in "$store"/onnxruntime-node@*/node_modules/onnxruntime-node/bin/napi-v*; do
  [ -d "$bin" ] || continue
  for os in "$bin"/*; do
    [ "${os##*/}" = linux ] || rm -rf "$os"
  done
  for cpu in "$bin"/linux/*; do
    [ "${cpu##*/}" = "$arch" ] || rm -rf "$cpu"
  done
done

# Not run in Node: onnxruntime-web is the browser runtime of transformers.js (its Node build uses
# onnxruntime-node), and vitest with its build tools comes only as the optional peer of
# @model-loader/core's `./test` subpath.
for name in onnxruntime-web vitest @vitest+* vite @vitejs+* rolldown @rolldown+* esbuild @esbuild+* \
  lightningcss lightningcss-* tsx typescript @types+*; do
  for dir in "$store"/$name@*; do
    if [ -d "$dir" ]; then rm -rf "$dir"; fi
  done
done

# Links left pointing at removed packages.
find "$out/node_modules" -xtype l -delete
echo "prune-deploy: $out ${before} MB -> $(du -sm "$out" | cut -f1) MB (LLM_GPU=$gpu, $arch)" >&2
