import { pickDatasetFiles } from '../platform/dataset-picker';
import { bundledUrls } from '../runtime/bundled-files';
import { useDocumentStore } from '../store/document-store';
import { useTrainingStore } from '../store/training-store';

/**
 * Evaluates the run on test data, which training never saw: the bundled sample's test images, or files of
 * the dataset's kind picked for it (read in the engine as the training files were: a CSV file scaled by the
 * training set's statistics, its labels by the training set's classes). Generated data has none.
 */
export function TestDataButton({ disabled }: { disabled: boolean }) {
  const dataset = useDocumentStore((s) => s.document.training.dataset);
  const inspect = useTrainingStore((s) => s.inspect);
  if (dataset.source === 'synthetic') return null;
  const sample = dataset.source === 'sample';
  const test = async () => {
    if (sample) return inspect({ data: { kind: 'bundled-urls', urls: bundledUrls(dataset.name) }, which: 'test' });
    const outcome = await pickDatasetFiles(dataset.source === 'image-folder' ? 'images' : dataset.source);
    // A pick refused (too many files, too large) is said where the evaluation's own refusals are.
    if (!outcome.ok) return useTrainingStore.setState({ inspectionError: outcome.message });
    if (outcome.picked) await inspect({ data: { kind: 'files', files: outcome.picked.files } });
  };
  return (
    <button
      type="button"
      data-testid="evaluate-test"
      disabled={disabled}
      title={
        sample
          ? "Run the sample's test images through the current weights"
          : 'Choose test files (like the training files) and run them through the current weights'
      }
      onClick={() => void test()}
    >
      {sample ? 'Test' : 'Test…'}
    </button>
  );
}
