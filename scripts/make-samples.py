#!/usr/bin/env python3
"""Writes the sample graphs that are easier to generate than to draw (run once; the JSON is committed)."""
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'samples', 'graphs')


def training(opt, batch=64, epochs=5, dataset=None, loss='softmax-cross-entropy'):
    return {"dataset": dataset or {"source": "sample", "name": "fashion-mnist-small"}, "validation": {"split": 0.1},
            "loss": {"kind": loss}, "optimizer": opt, "schedule": {"kind": "constant"}, "regularization": {"l1": 0, "l2": 0},
            "sampling": "mini-batch", "batchSize": batch, "epochs": epochs, "seed": 42, "backend": "auto"}


ADAM = {"kind": "adam", "lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


class Graph:
    def __init__(self):
        self.nodes, self.edges, self.y = [], [], 40

    def add(self, id, kind, params=None, inputs=(), x=250, port=None):
        self.nodes.append({"id": id, "kind": kind, "params": params or {}, "position": {"x": x, "y": self.y}})
        self.y += 80
        for i, source in enumerate(inputs):
            target_port = port(i) if port else 'in'
            self.edges.append({"id": f"e{len(self.edges)}", "source": source, "sourcePort": "out", "target": id, "targetPort": target_port})
        return id

    def chain(self, start, layers, x=250):
        prev = start
        for id, kind, params in layers:
            prev = self.add(id, kind, params, [prev], x)
        return prev


def save(name, title, description, reference, graph, train):
    doc = {"format": "netloom-graph", "version": 1, "name": title, "description": description, "reference": reference,
           "nodes": graph.nodes, "edges": graph.edges, "training": train}
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')


def relu(id):
    return (id, 'activation', {"fn": "relu"})


# AlexNet, scaled to 28x28 grayscale: five convolutions (the first with a large kernel), overlapping max pooling,
# two dropout-regularised dense layers.
g = Graph()
g.add('input', 'input', {"shape": [1, 28, 28]})
g.chain('input', [
    ('conv1', 'conv2d', {"filters": 24, "kernel": 5, "padding": 2}), relu('relu1'), ('pool1', 'maxpool2d', {"size": 3, "stride": 2}),
    ('conv2', 'conv2d', {"filters": 48, "kernel": 3, "padding": 1}), relu('relu2'), ('pool2', 'maxpool2d', {"size": 3, "stride": 2}),
    ('conv3', 'conv2d', {"filters": 64, "kernel": 3, "padding": 1}), relu('relu3'),
    ('conv4', 'conv2d', {"filters": 64, "kernel": 3, "padding": 1}), relu('relu4'),
    ('conv5', 'conv2d', {"filters": 48, "kernel": 3, "padding": 1}), relu('relu5'), ('pool5', 'maxpool2d', {"size": 2}),
    ('flatten', 'flatten', {}),
    ('fc6', 'dense', {"units": 256}), relu('relu6'), ('drop6', 'dropout', {"rate": 0.5}),
    ('fc7', 'dense', {"units": 128}), relu('relu7'), ('drop7', 'dropout', {"rate": 0.5}),
    ('logits', 'dense', {"units": 10}),
])
save('alexnet-small', 'AlexNet (small)',
     "AlexNet's design at Fashion-MNIST size: five convolutions, the first with a wide kernel, overlapping 3x3 max "
     "pooling with stride 2, ReLU everywhere and dropout in the two dense layers.",
     'arXiv 1709.01412, chapter 5 (AlexNet)', g, training(ADAM))

# VGG: only 3x3 convolutions with padding 1, two per block, 2x2 max pooling between blocks.
g = Graph()
g.add('input', 'input', {"shape": [1, 28, 28]})
g.chain('input', [
    ('conv1a', 'conv2d', {"filters": 16, "kernel": 3, "padding": 1}), relu('relu1a'),
    ('conv1b', 'conv2d', {"filters": 16, "kernel": 3, "padding": 1}), relu('relu1b'), ('pool1', 'maxpool2d', {"size": 2}),
    ('conv2a', 'conv2d', {"filters": 32, "kernel": 3, "padding": 1}), relu('relu2a'),
    ('conv2b', 'conv2d', {"filters": 32, "kernel": 3, "padding": 1}), relu('relu2b'), ('pool2', 'maxpool2d', {"size": 2}),
    ('flatten', 'flatten', {}), ('fc1', 'dense', {"units": 128}), relu('relu3'), ('drop', 'dropout', {"rate": 0.4}),
    ('logits', 'dense', {"units": 10}),
])
save('vgg-small', 'VGG (small)',
     'The VGG recipe: stacks of 3x3 convolutions with padding 1 (two per block, so each block sees 5x5), 2x2 max '
     'pooling between blocks, channels doubling as the image shrinks.',
     'arXiv 1709.01412, chapter 5 (VGG)', g, training(ADAM))


def inception(g, name, source, c1, c3r, c3, c5r, c5, cp, x=250):
    """GoogLeNet's module: 1x1, 3x3 and 5x5 convolutions (the larger ones after 1x1 reductions) and a pooling
    branch, side by side, joined along channels."""
    y = g.y
    b1 = g.chain(source, [(f'{name}_1x1', 'conv2d', {"filters": c1, "kernel": 1}), relu(f'{name}_1x1_relu')], x - 330)
    g.y = y
    b3 = g.chain(source, [(f'{name}_3x3_reduce', 'conv2d', {"filters": c3r, "kernel": 1}), relu(f'{name}_3x3_reduce_relu'),
                          (f'{name}_3x3', 'conv2d', {"filters": c3, "kernel": 3, "padding": 1}), relu(f'{name}_3x3_relu')], x - 110)
    g.y = y
    b5 = g.chain(source, [(f'{name}_5x5_reduce', 'conv2d', {"filters": c5r, "kernel": 1}), relu(f'{name}_5x5_reduce_relu'),
                          (f'{name}_5x5', 'conv2d', {"filters": c5, "kernel": 5, "padding": 2}), relu(f'{name}_5x5_relu')], x + 110)
    g.y = y
    bp = g.chain(source, [(f'{name}_pool', 'maxpool2d', {"size": 3, "stride": 1, "padding": 1}),
                          (f'{name}_pool_proj', 'conv2d', {"filters": cp, "kernel": 1}), relu(f'{name}_pool_relu')], x + 330)
    g.y = y + 4 * 80
    return g.add(f'{name}_concat', 'concat', {"inputs": 4}, [b1, b3, b5, bp], x, port=lambda i: f'in{i}')


g = Graph()
g.add('input', 'input', {"shape": [1, 28, 28]})
stem = g.chain('input', [('stem', 'conv2d', {"filters": 24, "kernel": 3, "padding": 1}), relu('stem_relu'), ('stem_pool', 'maxpool2d', {"size": 2})])
a = inception(g, 'inc1', stem, 16, 16, 24, 4, 8, 8)
p = g.chain(a, [('pool2', 'maxpool2d', {"size": 2})])
b = inception(g, 'inc2', p, 24, 24, 32, 8, 16, 16)
# GoogLeNet's auxiliary classifiers: average pooling (5x5, stride 3 on 14x14 there; 3x3, stride 2 on 7x7 here),
# then a small dense classifier rather than the large dense layers of AlexNet and VGG.
g.chain(b, [('classifier_pool', 'avgpool2d', {"size": 3, "stride": 2}), ('flatten', 'flatten', {}), ('logits', 'dense', {"units": 10})])
save('googlenet-small', 'GoogLeNet (small)',
     'Two inception modules: 1x1, 3x3 and 5x5 convolutions (the larger ones behind 1x1 reductions) and a pooling '
     'branch, side by side and joined along channels; average pooling and one small dense layer classify, where '
     'AlexNet and VGG use large dense layers.',
     'arXiv 1709.01412, chapter 5 (GoogLeNet)', g, training(ADAM))


def bottleneck(g, name, source, reduce, out, x=250):
    """ResNet's bottleneck block (figure 5.16): 1x1 reduce, 3x3, 1x1 expand, each with batch normalisation; the
    block's input is added to its output (the identity shortcut) before the last ReLU."""
    main = g.chain(source, [
        (f'{name}_reduce', 'conv2d', {"filters": reduce, "kernel": 1}), (f'{name}_bn1', 'batchnorm', {}), relu(f'{name}_relu1'),
        (f'{name}_conv', 'conv2d', {"filters": reduce, "kernel": 3, "padding": 1}), (f'{name}_bn2', 'batchnorm', {}), relu(f'{name}_relu2'),
        (f'{name}_expand', 'conv2d', {"filters": out, "kernel": 1}), (f'{name}_bn3', 'batchnorm', {}),
    ], x)
    added = g.add(f'{name}_add', 'add', {"inputs": 2}, [main, source], x, port=lambda i: f'in{i}')
    return g.chain(added, [relu(f'{name}_relu')], x)


g = Graph()
g.add('input', 'input', {"shape": [1, 28, 28]})
x = g.chain('input', [('stem', 'conv2d', {"filters": 32, "kernel": 3, "padding": 1}), ('stem_bn', 'batchnorm', {}),
                      relu('stem_relu'), ('stem_pool', 'maxpool2d', {"size": 2})])
x = bottleneck(g, 'b1', x, 16, 32)
x = bottleneck(g, 'b2', x, 16, 32)
x = g.chain(x, [('pool2', 'maxpool2d', {"size": 2})])
x = bottleneck(g, 'b3', x, 16, 32)
g.chain(x, [('flatten', 'flatten', {}), ('logits', 'dense', {"units": 10})])
save('resnet-bottleneck', 'ResNet bottleneck',
     'A small residual network: a stem convolution, then three bottleneck blocks (1x1 reduce, 3x3, 1x1 expand, each '
     'with batch normalisation) whose outputs are added to their inputs, with max pooling between the stages and a '
     'dense classifier.',
     'arXiv 1709.01412, chapter 5 (figure 5.16)', g, training(ADAM))

g = Graph()
g.add('input', 'input', {"shape": [1, 28, 28]})
g.chain('input', [('rows', 'reshape', {"shape": [28, 28]}), ('rnn', 'rnn', {"units": 64}), ('logits', 'dense', {"units": 10})])
save('rnn', 'Elman RNN over image rows',
     "Reads each image as a sequence of 28 rows; an Elman network's state, updated with tanh at every row, "
     'summarises the image for a dense classifier. Compare it with the LSTM sample to see what gates add.',
     'arXiv 1709.01412, chapter 6 (RNN)', g, training(ADAM))

g = Graph()
g.add('input', 'input', {"shape": [9, 1]})
g.chain('input', [('lstm', 'lstm', {"units": 16}), ('logits', 'dense', {"units": 2})])
save('sequence-majority', 'Sequence majority (LSTM, toy)',
     'Sequences of nine random bits; the label says whether ones are the majority. The answer depends on the whole '
     'sequence, so the LSTM must count in its cell state.',
     'arXiv 1709.01412, chapter 6 (LSTM)', g,
     training({"kind": "adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, batch=32, epochs=20,
              dataset={"source": "synthetic", "generator": "sequence", "samples": 2000, "noise": 0}))
