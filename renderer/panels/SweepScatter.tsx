import type { SweepResult } from '../../engine/api';
import { describeValues, errorOf, paretoFront } from '../../engine/train/sweep';

const WIDTH = 260;
const HEIGHT = 150;
const PAD = { left: 40, right: 8, top: 8, bottom: 26 };

/**
 * Validation error against cost (forward multiply-adds per sample, on a log scale when they span a decade),
 * one dot per finished run, the Pareto front joined by a line: the runs no other beats on both.
 */
export function SweepScatter({ results }: { results: SweepResult[] }) {
  const shown = results.filter((r) => r.status !== 'failed' && Number.isFinite(errorOf(r)));
  if (shown.length === 0) return null;
  const costs = shown.map((r) => r.multiplyAdds);
  const errors = shown.map(errorOf);
  const [cLo, cHi] = [Math.min(...costs), Math.max(...costs)];
  const log = cHi > 10 * cLo && cLo > 0;
  const cx = (c: number) => {
    const [a, b, v] = log ? [Math.log10(cLo), Math.log10(cHi), Math.log10(c)] : [cLo, cHi, c];
    return PAD.left + (b > a ? (v - a) / (b - a) : 0.5) * (WIDTH - PAD.left - PAD.right);
  };
  const eHi = Math.max(...errors) * 1.05 || 1;
  const ey = (e: number) => PAD.top + (1 - e / eHi) * (HEIGHT - PAD.top - PAD.bottom);
  const front = paretoFront(shown).sort((a, b) => a.multiplyAdds - b.multiplyAdds);
  const accuracy = shown.some((r) => r.valAccuracy !== undefined);
  return (
    <svg className="sweep-scatter" data-testid="sweep-scatter" width={WIDTH} height={HEIGHT} role="img">
      <title>Validation error against multiply-adds per sample; the Pareto front joined</title>
      <line x1={PAD.left} y1={HEIGHT - PAD.bottom} x2={WIDTH - PAD.right} y2={HEIGHT - PAD.bottom} stroke="#9aa4b5" />
      <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={HEIGHT - PAD.bottom} stroke="#9aa4b5" />
      <text x={PAD.left} y={HEIGHT - 6} fontSize="10">
        multiply-adds{log ? ' (log)' : ''}: {cLo.toLocaleString()} … {cHi.toLocaleString()}
      </text>
      <text x={2} y={PAD.top + 8} fontSize="10">
        {accuracy ? `${(100 * eHi).toFixed(0)}%` : eHi.toPrecision(2)}
      </text>
      <text x={2} y={HEIGHT - PAD.bottom} fontSize="10">
        {accuracy ? 'error 0' : '0'}
      </text>
      <polyline
        data-testid="pareto-front"
        fill="none"
        stroke="#1f7a35"
        strokeWidth="1.5"
        points={front.map((r) => `${cx(r.multiplyAdds)},${ey(errorOf(r))}`).join(' ')}
      />
      {shown.map((r) => (
        <circle
          key={describeValues(r.values)}
          data-testid="sweep-point"
          data-front={front.includes(r)}
          cx={cx(r.multiplyAdds)}
          cy={ey(errorOf(r))}
          r={front.includes(r) ? 4 : 3}
          fill={front.includes(r) ? '#1f7a35' : '#3b6cf6'}
        >
          <title>{`${describeValues(r.values)}: ${accuracy ? `validation error ${(100 * errorOf(r)).toFixed(1)}%` : `loss ${errorOf(r).toPrecision(4)}`}, ${r.multiplyAdds.toLocaleString()} multiply-adds`}</title>
        </circle>
      ))}
    </svg>
  );
}
