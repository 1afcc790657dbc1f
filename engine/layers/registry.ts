import { activation } from './activation';
import { batchnorm } from './batchnorm';
import { conv2d } from './conv2d';
import { dense } from './dense';
import { dropout } from './dropout';
import { flatten } from './flatten';
import { globalavgpool } from './global-avg-pool';
import { input } from './input';
import { add, concat } from './join';
import type { LayerDef } from './layer';
import { avgpool2d, maxpool2d } from './pool2d';
import { lstm, rnn } from './recurrent';
import { reshape } from './reshape';

export type LayerKind =
  | 'input'
  | 'dense'
  | 'activation'
  | 'conv2d'
  | 'maxpool2d'
  | 'avgpool2d'
  | 'globalavgpool'
  | 'batchnorm'
  | 'dropout'
  | 'flatten'
  | 'reshape'
  | 'add'
  | 'concat'
  | 'rnn'
  | 'lstm';

/**
 * The closed set of layer kinds. The document schema, the palette and the tests all read this table;
 * the `satisfies` clause makes a missing or misnamed entry a compile error.
 */
export const layers = {
  input,
  dense,
  activation,
  conv2d,
  maxpool2d,
  avgpool2d,
  globalavgpool,
  batchnorm,
  dropout,
  flatten,
  reshape,
  add,
  concat,
  rnn,
  lstm,
  // biome-ignore lint/suspicious/noExplicitAny: each entry is checked against its own params type in its file
} satisfies { [K in LayerKind]: LayerDef<K, any> };

export const layerKinds = Object.keys(layers) as [LayerKind, ...LayerKind[]];

export type ParamsOf<K extends LayerKind> = (typeof layers)[K] extends LayerDef<K, infer P> ? P : never;

/** The definition of a kind with its params type erased, for code that walks a whole graph. */
// biome-ignore lint/suspicious/noExplicitAny: params are validated by the same def's schema before use
export const layerDef = (kind: LayerKind): LayerDef<LayerKind, any> => layers[kind];
