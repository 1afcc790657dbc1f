"""ONNX models made by PyTorch's exporter (torch.onnx.export, opset 17), for the ONNX import tests.

Two kinds: models written here, with shapes the samples do not have (an uneven inception block, a residual
MLP, a stacked LSTM, a convolutional network flattened with view()); and the PyTorch equivalent of every
sample small enough to commit, as `npm run export -- <sample> --to pytorch` writes it. Writes, per model,
test/fixtures/onnx/<name>.onnx and <name>.json: the input's shape, 4 inputs and PyTorch's outputs on them.
Run from the repository with Debian's Python: /usr/bin/python3 scripts/make-onnx-fixtures.py
"""
import glob
import importlib.util
import json
import os
import subprocess
import tempfile

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'onnx')
torch.manual_seed(0)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 16)
        self.out = nn.Linear(16, 4)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.p1 = nn.MaxPool2d(2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.p2 = nn.AvgPool2d(2)
        self.f1 = nn.Linear(16 * 5 * 5, 32)
        self.f2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.p1(torch.tanh(self.c1(x)))
        x = self.p2(torch.sigmoid(self.c2(x)))
        return self.f2(torch.relu(self.f1(torch.flatten(x, 1))))


class Inception(nn.Module):
    """An uneven inception block: four branches of different widths, concatenated, then global pooling."""

    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(3, 4, 1)
        self.b3a = nn.Conv2d(3, 2, 1)
        self.b3 = nn.Conv2d(2, 5, 3, padding=1)
        self.b5a = nn.Conv2d(3, 2, 1)
        self.b5 = nn.Conv2d(2, 3, 5, padding=2)
        self.pool = nn.MaxPool2d(3, stride=1, padding=1)
        self.bp = nn.Conv2d(3, 2, 1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(14, 6)

    def forward(self, x):
        y = torch.cat([
            torch.relu(self.b1(x)),
            torch.relu(self.b3(torch.relu(self.b3a(x)))),
            torch.relu(self.b5(torch.relu(self.b5a(x)))),
            torch.relu(self.bp(self.pool(x))),
        ], 1)
        return self.fc(torch.flatten(self.gap(y), 1))


class ResidualMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(12, 12)
        self.b = nn.Linear(12, 12)
        self.out = nn.Linear(12, 3)

    def forward(self, x):
        y = self.b(torch.relu(self.a(x))) + x
        return self.out(torch.relu(y))


class StackedLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 8, num_layers=2, batch_first=True)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


class Rnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(4, 6, batch_first=True)
        self.fc = nn.Linear(6, 2)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


class ConvView(nn.Module):
    """Batch norm, dropout, ELU, leaky ReLU, a 'same' convolution and a flatten written as view()."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.c2 = nn.Conv2d(4, 4, 3, stride=2)
        self.drop = nn.Dropout(0.3)
        self.bn1 = nn.BatchNorm1d(36)
        self.fc = nn.Linear(36, 5)

    def forward(self, x):
        x = nn.functional.elu(self.bn(self.c1(x)), alpha=0.7)
        x = nn.functional.leaky_relu(self.c2(x), 0.2)
        x = self.drop(x.view(x.size(0), -1))
        return torch.softmax(self.fc(self.bn1(x)), dim=1)


class MeanPool(nn.Module):
    """Global average pooling written as a mean over height and width (ReduceMean), as many write it."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, stride=2, padding=1)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean(dim=(2, 3)))


MODELS = {
    'mlp': (Mlp, [20]),
    'lenet': (LeNet, [1, 28, 28]),
    'inception': (Inception, [3, 8, 8]),
    'residual-mlp': (ResidualMlp, [12]),
    'stacked-lstm': (StackedLstm, [7, 5]),
    'rnn': (Rnn, [6, 4]),
    'conv-view': (ConvView, [2, 7, 7]),
    'mean-pool': (MeanPool, [3, 9, 9]),
}


ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
# The samples whose weights keep a fixture small (the larger CNNs are covered by the round trip).
SAMPLES = ['spiral', 'lenet5', 'lstm', 'rnn', 'regression', 'sequence-majority', 'googlenet-small',
           'resnet-bottleneck']


def sample_modules():
    """Each sample as the PyTorch module Netloom exports, with Netloom's initial weights."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in SAMPLES:
            graph = os.path.join(ROOT, 'samples', 'graphs', name + '.json')
            subprocess.run(['node', '--import', 'tsx', 'cli/export.ts', graph, '--to', 'pytorch', '--out', tmp],
                           cwd=ROOT, check=True, capture_output=True)
            spec = importlib.util.spec_from_file_location('sample_' + name.replace('-', '_'),
                                                          os.path.join(tmp, name + '.py'))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            net = module.initialise(module.Net())
            out['sample-' + name] = (lambda net=net: net, list(module.INPUT_SHAPE))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    samples = sample_modules()
    for index, (name, (make, shape)) in enumerate({**MODELS, **samples}.items()):
        # Each model draws from its own seed: a fixture does not change when another is added.
        torch.manual_seed(1000 + index)
        model = make()
        # Running statistics that are not the initial ones, so that inference form matters.
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
        model.eval()
        x = torch.rand([4] + shape) * 2 - 1
        path = os.path.join(OUT, name + '.onnx')
        torch.onnx.export(model, x, path, opset_version=17, input_names=['x'], output_names=['y'],
                          dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}})
        with torch.no_grad():
            y = model(x)
        with open(os.path.join(OUT, name + '.json'), 'w') as f:
            json.dump({'shape': shape, 'x': x.flatten().tolist(), 'y': y.flatten().tolist()}, f)
        print(name, os.path.getsize(path))


if __name__ == '__main__':
    main()
