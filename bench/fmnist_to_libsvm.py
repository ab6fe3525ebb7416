#!/usr/bin/python3
"""Writes the Fashion-MNIST binary task of the foundation issue in LIBSVM form: upper-body
garments (T-shirt/top 0, pullover 2, coat 4, shirt 6) are +1, the rest -1; pixels scaled to
[0, 1]; zero pixels omitted.  usage: fmnist_to_libsvm.py DIR TRAIN_OUT TEST_OUT"""
import gzip
import sys

import numpy as np


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write(images, labels, out):
    x = images.reshape(len(images), -1).astype(np.float64) / 255.0
    y = np.where(np.isin(labels, [0, 2, 4, 6]), 1, -1)
    with open(out, "w") as f:
        for row, label in zip(x, y):
            nz = np.nonzero(row)[0]
            f.write(str(label) + " " + " ".join("%d:%.6g" % (j + 1, row[j]) for j in nz) + "\n")


d = sys.argv[1]
write(read_idx(d + "/train-images-idx3-ubyte.gz"), read_idx(d + "/train-labels-idx1-ubyte.gz"), sys.argv[2])
write(read_idx(d + "/t10k-images-idx3-ubyte.gz"), read_idx(d + "/t10k-labels-idx1-ubyte.gz"), sys.argv[3])
