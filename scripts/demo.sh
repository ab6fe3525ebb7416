#!/usr/bin/env bash
# Sets everything up and runs a real training job end to end: installs the dependencies,
# builds parley, fetches Fashion-MNIST from Debian's archive, trains a softmax MLP with
# sequential SGD, and evaluates the saved model on the test set with `parley eval`.
# Outputs go to runs/demo/ (metrics log, summary, model file). The training settings are those
# of bench/foundation.sh, which measures them (88.8% test accuracy after 10 epochs; the step
# size is multiplied by 0.3 every 3 epochs = 5625 steps of 32 rows).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build data
scripts/build.sh release parley   # the command-line program only, not the tests
scripts/get-data.sh fashion-mnist
mkdir -p runs/demo
build/release/parley train \
  --data data/fashion-mnist/train-images-idx3-ubyte.gz \
  --test data/fashion-mnist/t10k-images-idx3-ubyte.gz \
  --model mlp --hidden 256 --algo sequential \
  --batch 32 --lr 0.02 --momentum 0.9 --l2 5e-5 --epochs "${EPOCHS:-10}" --schedule step --lr-every 5625 --lr-factor 0.3 \
  --seed 1 --metrics runs/demo/metrics.jsonl --summary runs/demo/summary.json --model-out runs/demo/mlp.parley
build/release/parley eval --model-file runs/demo/mlp.parley --data data/fashion-mnist/t10k-images-idx3-ubyte.gz
