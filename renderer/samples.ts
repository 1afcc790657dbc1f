/** The bundled sample graphs, as text, by file name (loaded through the same checks as any file). */
const texts = import.meta.glob('../samples/graphs/*.json', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

export interface SampleEntry {
  file: string;
  name: string;
  text: string;
}

export const samples: SampleEntry[] = Object.entries(texts)
  .map(([path, text]) => {
    const file = path.slice(path.lastIndexOf('/') + 1);
    let name = file;
    try {
      name = (JSON.parse(text) as { name?: string }).name ?? file;
    } catch {
      // The loader reports a broken sample when it is opened.
    }
    return { file, name, text };
  })
  .sort((a, b) => a.name.localeCompare(b.name));
