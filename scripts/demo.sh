#!/usr/bin/env bash
# Sets everything up and runs a real training job end to end: installs the dependencies,
# builds parley, fetches Fashion-MNIST from Debian's archive, trains a softmax MLP with
# sequential SGD, and evaluates the saved model on the test set with `parley eval`.
# Outputs go to runs/demo/ (metrics log, summary, model file).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build data
scripts/build.sh release
scripts/get-data.sh fashion-mnist
mkdir -p runs/demo
build/release/parley train \
  --data data/fashion-mnist/train-images-idx3-ubyte.gz \
  --test data/fashion-mnist/t10k-images-idx3-ubyte.gz \
  --model mlp --hidden 256 --algo sequential \
  --batch 32 --lr 0.05 --momentum 0.9 --l2 1e-5 --epochs "${EPOCHS:-8}" --schedule step --lr-every 7500 --lr-factor 0.5 \
  --seed 1 --metrics runs/demo/metrics.jsonl --summary runs/demo/summary.json --model-out runs/demo/mlp.parley
build/release/parley eval --model-file runs/demo/mlp.parley --data data/fashion-mnist/t10k-images-idx3-ubyte.gz
