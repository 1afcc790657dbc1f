import { useViewStore } from '../store/view-store';
import { EvaluationPanel } from './EvaluationPanel';
import { SweepPanel } from './SweepPanel';

const tabs = [
  { id: 'evaluation', label: 'Evaluation' },
  { id: 'sweep', label: 'Sweep' },
] as const;

/** The results area's middle: the run's evaluation, or a sweep over settings, one tab each. */
export function ResultsMiddle() {
  const tab = useViewStore((s) => s.resultsTab);
  const setTab = useViewStore((s) => s.setResultsTab);
  return (
    <div className="results-middle">
      <div className="results-tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            data-testid={`results-tab-${t.id}`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tab === 'evaluation' ? <EvaluationPanel /> : <SweepPanel />}
    </div>
  );
}
