import { useViewStore } from '../store/view-store';
import { EvaluationPanel } from './EvaluationPanel';
import { RateFinderPanel } from './RateFinderPanel';
import { SweepPanel } from './SweepPanel';

const tabs = [
  { id: 'evaluation', label: 'Evaluation' },
  { id: 'sweep', label: 'Sweep' },
  { id: 'rate', label: 'Learning rate' },
] as const;

/** The results area's middle: the run's evaluation, a sweep over settings, or the learning-rate test, a tab each. */
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
      {tab === 'evaluation' ? <EvaluationPanel /> : tab === 'sweep' ? <SweepPanel /> : <RateFinderPanel />}
    </div>
  );
}
