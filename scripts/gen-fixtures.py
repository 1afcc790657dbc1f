#!/usr/bin/env python3
"""Reference fixtures from PyTorch for the engine's numeric tests (run offline; the output is committed).

  npx tsx scripts/export-layer-examples.ts      # the registry's layer examples -> test/fixtures/layer-examples.json
  /usr/bin/python3 scripts/gen-fixtures.py      # -> test/fixtures/pytorch-*.json

For every layer example: inputs, weights (in Netloom's layout), an upstream gradient r, and PyTorch's output
and gradients of L = sum(y * r), computed in float64 from float32-representable values. For every loss: the
value and the gradient of the logits. For every optimizer: a 20-step trajectory from given gradients.
"""
import json
import os
import subprocess
import zlib

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'test', 'fixtures')
N = 3  # samples per batch


def f32(a):
    """Values exactly representable in float32, so both sides start from the same numbers."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def same_padding(n, k, s):
    """TensorFlow's 'same' along one axis: output ceil(n / s), the odd padding at the end."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def conv2d(x, p, weights):
    stride = pair(p['stride'])
    if p['padding'] == 'same':
        (kh, kw), (h, w) = pair(p['kernel']), x.shape[2:]
        top, bottom = same_padding(h, kh, stride[0])
        left, right = same_padding(w, kw, stride[1])
        x, padding = F.pad(x, (left, right, top, bottom)), (0, 0)
    else:
        padding = (0, 0) if p['padding'] == 'valid' else pair(p['padding'])
    return F.conv2d(x, weights['W'], weights['b'] if p['bias'] else None, stride=stride, padding=padding)


def case_rng(name):
    """Each case draws from its own generator, named after it: adding a case changes no other case."""
    return np.random.default_rng([1709_01412, zlib.crc32(name.encode())])


def layer_case(ex, rng, mode):
    kind, p = ex['kind'], ex['params']
    xs = [torch.tensor(f32(rng.uniform(-1, 1, size=[N] + shape)), requires_grad=True) for shape in ex['inputs']]
    weights = {name: torch.tensor(f32(rng.uniform(-1, 1, size=shape)), requires_grad=True) for name, shape in ex['paramShapes'].items()}
    state = {}
    x = xs[0]
    if kind == 'dense':
        y = x @ weights['W'] + (weights['b'] if p['bias'] else 0)
    elif kind == 'activation':
        # The expression comes from the engine's table of operations (engine/ops/activations.ts).
        y = eval(ex['torch'], {'torch': torch, 'F': F, 'x': x, 'alpha': ex.get('alpha')})
    elif kind == 'conv2d':
        y = conv2d(x, p, weights)
    elif kind in ('maxpool2d', 'avgpool2d'):
        size = pair(p['size'])
        stride = pair(p.get('stride', p['size']))
        pad = pair(p['padding'])
        y = F.max_pool2d(x, size, stride, pad) if kind == 'maxpool2d' else F.avg_pool2d(x, size, stride, pad, count_include_pad=True)
    elif kind == 'globalavgpool':
        y = x.mean(dim=(2, 3))
    elif kind == 'batchnorm':
        c = ex['inputs'][0][0]
        running_mean = torch.tensor(f32(rng.uniform(-0.5, 0.5, size=c)))
        running_var = torch.tensor(f32(rng.uniform(0.5, 1.5, size=c)))
        state = {'runningMean': flat(running_mean), 'runningVar': flat(running_var)}
        y = F.batch_norm(x, running_mean, running_var, weights['gamma'], weights['beta'], training=(mode == 'train'), momentum=p['momentum'], eps=p['eps'])
        state_after = {'runningMean': flat(running_mean), 'runningVar': flat(running_var)}
    elif kind == 'flatten':
        y = x.reshape(N, -1)
    elif kind == 'reshape':
        y = x.reshape([N] + ex['output'])
    elif kind == 'add':
        y = sum(xs[1:], xs[0])
    elif kind == 'concat':
        y = torch.cat(xs, dim=1)
    elif kind in ('rnn', 'lstm'):
        T, D = ex['inputs'][0]
        U = p['units']
        module = (torch.nn.RNN if kind == 'rnn' else torch.nn.LSTM)(D, U, batch_first=True)
        with torch.no_grad():
            # Netloom keeps Wx [D, width*U], Wh [U, width*U] and one bias; PyTorch the transposes and two biases.
            module.weight_ih_l0.copy_(weights['Wx'].T)
            module.weight_hh_l0.copy_(weights['Wh'].T)
            module.bias_ih_l0.copy_(weights['b'])
            module.bias_hh_l0.zero_()
        out, _ = module(x)
        y = out if p['returnSequences'] else out[:, -1]
        r = torch.tensor(f32(rng.uniform(-1, 1, size=list(y.shape))))
        (y * r).sum().backward()
        grads = {
            'Wx': flat(module.weight_ih_l0.grad.T), 'Wh': flat(module.weight_hh_l0.grad.T), 'b': flat(module.bias_ih_l0.grad),
        }
        return finish(ex, mode, xs, weights, state, {}, y, r, grads)
    else:
        raise ValueError(f'no reference for layer kind {kind}')
    r = torch.tensor(f32(rng.uniform(-1, 1, size=list(y.shape))))
    (y * r).sum().backward()
    grads = {name: flat(w.grad) for name, w in weights.items()}
    return finish(ex, mode, xs, weights, state, state_after if kind == 'batchnorm' else {}, y, r, grads)


def finish(ex, mode, xs, weights, state, state_after, y, r, grads):
    return {
        'kind': ex['kind'], 'index': ex['index'], 'mode': mode, 'params': ex['params'], 'inputs': ex['inputs'], 'n': N,
        'x': [flat(x) for x in xs], 'weights': {k: flat(w) for k, w in weights.items()}, 'state': state, 'stateAfter': state_after,
        'r': flat(r), 'y': flat(y), 'dx': [flat(x.grad) for x in xs], 'grads': grads,
    }


def loss_cases(rng):
    cases = []
    logits = torch.tensor(f32(rng.uniform(-3, 3, size=(5, 4))), requires_grad=True)
    labels = torch.tensor([0, 3, 1, 2, 3])
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    cases.append({'kind': 'softmax-cross-entropy', 'logits': flat(logits), 'targets': [float(v) for v in labels], 'rows': 5, 'cols': 4, 'loss': loss.item(), 'dLogits': flat(logits.grad)})
    y = torch.tensor(f32(rng.uniform(-2, 2, size=(4, 3))), requires_grad=True)
    t = torch.tensor(f32(rng.uniform(-2, 2, size=(4, 3))))
    loss = F.mse_loss(y, t)
    loss.backward()
    cases.append({'kind': 'mse', 'logits': flat(y), 'targets': flat(t), 'rows': 4, 'cols': 3, 'loss': loss.item(), 'dLogits': flat(y.grad)})
    z = torch.tensor(f32(rng.uniform(-6, 6, size=(4, 3))), requires_grad=True)
    t = torch.tensor(f32(rng.integers(0, 2, size=(4, 3))))
    loss = F.binary_cross_entropy_with_logits(z, t)
    loss.backward()
    cases.append({'kind': 'sigmoid-binary-cross-entropy', 'logits': flat(z), 'targets': flat(t), 'rows': 4, 'cols': 3, 'loss': loss.item(), 'dLogits': flat(z.grad)})
    # Cases added later draw from their own generator, so that adding one leaves the others as they were.
    # MSE against one-hot targets from class labels (classification with MSE).
    own = case_rng('losses:mse-one-hot')
    y = torch.tensor(f32(own.uniform(-1, 2, size=(5, 4))), requires_grad=True)
    labels = torch.tensor([3, 0, 2, 2, 1])
    loss = F.mse_loss(y, F.one_hot(labels, 4).to(y.dtype))
    loss.backward()
    cases.append({'kind': 'mse-one-hot', 'logits': flat(y), 'targets': [float(v) for v in labels], 'rows': 5, 'cols': 4, 'loss': loss.item(), 'dLogits': flat(y.grad)})
    return cases


def optimizer_cases(rng):
    cases = []
    A = torch.tensor(f32(rng.uniform(-1, 1, size=(6, 6))))
    b = torch.tensor(f32(rng.uniform(-1, 1, size=6)))
    with open(os.path.join(FIXTURES, 'optimizer-examples.json')) as f:
        examples = json.load(f)
    for ex in examples:
        # The constructor comes from the engine's table of operations (engine/ops/optimizers.ts).
        kind, hyper = ex['kind'], ex['hyper']
        p = torch.tensor(f32(rng.uniform(-1, 1, size=6)), requires_grad=True)
        p0 = flat(p)
        opt = eval(ex['torch'], {'torch': torch, 'params': [p], **hyper})
        grads, trajectory = [], []
        for _ in range(20):
            opt.zero_grad()
            ((A @ p - b) ** 2).sum().backward()
            # Gradients rounded to float32, as Netloom's engine sees them.
            p.grad.copy_(torch.tensor(f32(p.grad.detach().numpy())))
            grads.append(flat(p.grad))
            opt.step()
            trajectory.append(flat(p))
        cases.append({'kind': kind, 'hyper': hyper, 'p0': p0, 'grads': grads, 'trajectory': trajectory})
    return cases


def main():
    with open(os.path.join(FIXTURES, 'layer-examples.json')) as f:
        examples = json.load(f)
    layers = []
    for ex in examples:
        if ex['kind'] == 'dropout':
            continue  # PyTorch draws its own mask: dropout is checked by its semantics instead
        for mode in (['train', 'eval'] if ex['kind'] == 'batchnorm' else ['train']):
            layers.append(layer_case(ex, case_rng(f"{ex['kind']}#{ex['index']}:{mode}"), mode))
    out = {
        'torch': torch.__version__,
        'layers': layers,
        'losses': loss_cases(case_rng('losses')),
        'optimizers': optimizer_cases(case_rng('optimizers')),
    }
    path = os.path.join(FIXTURES, 'pytorch-reference.json')
    with open(path, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    # Written as the project's formatter writes JSON, so a regenerated file differs only where cases do.
    subprocess.run(['npx', 'biome', 'format', '--write', path], cwd=os.path.join(HERE, '..'), check=True)
    print(f'{len(layers)} layer cases, {len(out["losses"])} losses, {len(out["optimizers"])} optimizers -> {path}')


if __name__ == '__main__':
    main()
