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

/** Each entry's key must be its definition's own kind: a misnamed entry is a compile error. */
// biome-ignore lint/suspicious/noExplicitAny: each entry is checked against its own params type in its file
const defineLayers = <T extends { [K in keyof T]: LayerDef<K & string, any> }>(table: T): T => table;

/**
 * The closed set of layer kinds: the kinds are this table's keys. The document schema, the palette and the
 * tests all read it; adding a layer is its file and one line here.
 */
export const layers = defineLayers({
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
});

export type LayerKind = keyof typeof layers;

export const layerKinds = Object.keys(layers) as [LayerKind, ...LayerKind[]];

export type ParamsOf<K extends LayerKind> = (typeof layers)[K] extends LayerDef<K, infer P> ? P : never;

/** The definition of a kind with its params type erased, for code that walks a whole graph. */
// biome-ignore lint/suspicious/noExplicitAny: params are validated by the same def's schema before use
export const layerDef = (kind: LayerKind): LayerDef<LayerKind, any> => layers[kind];
