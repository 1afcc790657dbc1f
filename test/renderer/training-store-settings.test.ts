import { afterEach, describe, expect, it } from 'vitest';
import { emptyDocument } from '../../engine/graph';
import { useDocumentStore } from '../../renderer/store/document-store';
import { useTrainingStore } from '../../renderer/store/training-store';

afterEach(() => useTrainingStore.setState({ state: 'idle', stepping: false }));

describe('training settings while a run trains', () => {
  it.each(['running', 'opening', 'recovering'] as const)(
    'are refused while %s, the document unchanged',
    async (state) => {
      useDocumentStore.getState().replace(emptyDocument(), { name: 'Untitled' });
      const before = useDocumentStore.getState().document;
      useTrainingStore.setState({ state });
      await expect(useTrainingStore.getState().applySettings({ epochs: 7 })).rejects.toThrow(
        'Pause the run to change its settings.',
      );
      expect(useDocumentStore.getState().document).toBe(before);
      expect(useDocumentStore.getState().past).toHaveLength(0);
    },
  );

  it('are taken into the document when no run trains', async () => {
    useDocumentStore.getState().replace(emptyDocument(), { name: 'Untitled' });
    useTrainingStore.setState({ state: 'idle' });
    await useTrainingStore.getState().applySettings({ epochs: 7 });
    expect(useDocumentStore.getState().document.training.epochs).toBe(7);
  });
});
