#!/usr/bin/env python3
"""One PyTorch measurement of a CPU benchmark workload (see workloads.ts); prints one JSON line.

Run with Debian's python3-torch; give it OpenBLAS's OpenMP build (LD_LIBRARY_PATH) rather than the reference
BLAS Debian selects by default. bench-cpu.ts does both.
"""
import argparse
import json
import resource
import statistics
import time

import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument('--workload', default='mlp', choices=['mlp', 'lenet', 'lstm', 'matmul'])
parser.add_argument('--batch', type=int, default=64)
parser.add_argument('--runs', type=int, default=5)
parser.add_argument('--threads', type=int, default=0, help='intra-op threads (0: PyTorch\'s default)')
parser.add_argument('--device', default='cpu', help='cpu, or cuda (the GPU benchmark; TF32 off)')
parser.add_argument('--size', type=int, default=1024, help='matmul size')
args = parser.parse_args()


class LastState(nn.Module):
    """LSTM over the rows, then the classifier on the last hidden state."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        return self.out(self.lstm(x)[0][:, -1])


def model_and_optimizer(name):
    if name == 'mlp':
        m = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
        return m, torch.optim.Adam(m.parameters(), lr=1e-3), (784,)
    if name == 'lenet':
        m = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                          nn.Linear(84, 10))
        return m, torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9), (1, 28, 28)
    m = LastState()
    return m, torch.optim.Adam(m.parameters(), lr=1e-3), (28, 28)


def sync():
    if args.device == 'cuda':
        torch.cuda.synchronize()


def timed(step, min_seconds, min_steps):
    sync()
    started = time.perf_counter()
    steps = 0
    while steps < min_steps or time.perf_counter() - started < min_seconds:
        step()
        steps += 1
    sync()
    return steps, time.perf_counter() - started


def report(rates, unit):
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({unit: statistics.median(rates), 'runs': rates, 'peakMiB': peak_mib, 'threads': torch.get_num_threads()}))


if args.threads > 0:
    torch.set_num_threads(args.threads)
torch.manual_seed(0)
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device(args.device)
if args.workload == 'matmul':
    n = args.size
    a, b = torch.rand(n, n, device=dev), torch.rand(n, n, device=dev)
    timed(lambda: a @ b, 0.5, 2)
    rates = []
    for _ in range(args.runs):
        steps, seconds = timed(lambda: a @ b, 1, 1)
        rates.append(2 * n ** 3 * steps / seconds / 1e9)
    report(rates, 'gflops')
else:
    model, optimizer, shape = model_and_optimizer(args.workload)
    model.to(dev)
    if args.device != 'cpu':
        optimizer = type(optimizer)(model.parameters(), **optimizer.defaults)
    x = torch.rand(args.batch, *shape, device=dev)
    y = torch.randint(0, 10, (args.batch,), device=dev)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()

    timed(step, 1, 2)
    rates = []
    for _ in range(args.runs):
        steps, seconds = timed(step, 1, 1)
        rates.append(steps * args.batch / seconds)
    report(rates, 'samplesPerSecond')
