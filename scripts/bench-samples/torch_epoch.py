#!/usr/bin/env python3
"""Full epochs of a sample in a plain PyTorch script: the network as Netloom exports it (its module, its
initialiser, its optimizer and loss), Fashion-MNIST read from the IDX files, a DataLoader that shuffles and
batches, the validation split held out and evaluated after each epoch. Prints one JSON line: the seconds from
the script's start (imports and reading included, as a user running it would wait) and the final figures.

Run with Debian's python3-torch and OpenBLAS's OpenMP build (see bench-cpu.ts); bench-samples.ts does both.
"""
import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import gzip  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset, random_split  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument('--module', required=True, help='the Python file Netloom exported for the sample')
parser.add_argument('--images', required=True)
parser.add_argument('--labels', required=True)
parser.add_argument('--shape', required=True, help='one sample\'s shape, comma-separated (e.g. 1,28,28)')
parser.add_argument('--batch', type=int, required=True)
parser.add_argument('--validation', type=float, default=0.1, help='the fraction held out')
parser.add_argument('--epochs', type=int, default=1)
parser.add_argument('--threads', type=int, default=0, help='intra-op threads (0: PyTorch\'s default)')
args = parser.parse_args()
if args.threads:
    torch.set_num_threads(args.threads)

spec = importlib.util.spec_from_file_location('exported', args.module)
exported = importlib.util.module_from_spec(spec)
spec.loader.exec_module(exported)


def read_idx(path):
    """An IDX file's values (big-endian dimensions after a 4-byte magic)."""
    with gzip.open(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


images = torch.from_numpy(read_idx(args.images).astype(np.float32) / 255)
images = images.reshape(len(images), *[int(d) for d in args.shape.split(',')])
labels = torch.from_numpy(read_idx(args.labels).astype(np.int64))
everything = TensorDataset(images, labels)
held_out = round(len(everything) * args.validation)
train_set, validation_set = random_split(everything, [len(everything) - held_out, held_out])
train_loader = DataLoader(train_set, batch_size=args.batch, shuffle=True)
validation_loader = DataLoader(validation_set, batch_size=1000)

model = exported.initialise(exported.Net())
optimizer = exported.make_optimizer(model)
history = []
for epoch in range(args.epochs):
    model.train()
    total, seen = 0.0, 0
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = exported.loss_of(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x)
        seen += len(x)
    model.eval()
    correct, val_total = 0, 0.0
    with torch.no_grad():
        for x, y in validation_loader:
            out = model(x)
            val_total += exported.loss_of(out, y).item() * len(x)
            correct += (out.argmax(1) == y).sum().item()
    history.append({'loss': total / seen, 'valLoss': val_total / held_out, 'valAccuracy': correct / held_out})

print(json.dumps({'seconds': time.perf_counter() - STARTED, 'threads': torch.get_num_threads(), **history[-1]}))
