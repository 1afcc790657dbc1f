import type { InitRule } from '../layers/layer';
import type { Random } from './random';

export type InitName = 'paper' | 'glorot-uniform' | 'glorot-normal' | 'he-uniform' | 'he-normal';

/**
 * Fills a weight tensor (the paper's chapter 4, on initialisation):
 *  - paper: the classic heuristic U(−1/√fan_in, 1/√fan_in);
 *  - Glorot/Xavier: variance 2/(fan_in + fan_out), uniform on ±√(6/(fan_in + fan_out)) or normal;
 *  - He: variance 2/fan_in, for ReLU networks, uniform on ±√(6/fan_in) or normal.
 * Biases and constants are exact.
 */
export function initialise(out: Float64Array, rule: InitRule, name: InitName, random: Random): void {
  if (rule.kind === 'constant') {
    out.fill(rule.value);
    return;
  }
  const { fanIn, fanOut } = rule;
  let draw: () => number;
  switch (name) {
    case 'paper': {
      const a = 1 / Math.sqrt(fanIn);
      draw = () => random.uniform(-a, a);
      break;
    }
    case 'glorot-uniform': {
      const a = Math.sqrt(6 / (fanIn + fanOut));
      draw = () => random.uniform(-a, a);
      break;
    }
    case 'glorot-normal': {
      const std = Math.sqrt(2 / (fanIn + fanOut));
      draw = () => std * random.normal();
      break;
    }
    case 'he-uniform': {
      const a = Math.sqrt(6 / fanIn);
      draw = () => random.uniform(-a, a);
      break;
    }
    case 'he-normal': {
      const std = Math.sqrt(2 / fanIn);
      draw = () => std * random.normal();
      break;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = draw();
}
