import { type BundledName, bundledDatasets } from '../../engine/data/bundled';

/** URLs of the bundled dataset files, as the build serves them. */
const urls = import.meta.glob('../../samples/data/**/*.gz', {
  query: '?url',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/** The bytes of a bundled dataset's files (still gzipped: the engine worker unpacks them). */
export async function fetchBundled(name: BundledName): Promise<Record<string, Uint8Array>> {
  const info = bundledDatasets[name];
  const entries = await Promise.all(
    info.files.map(async (file) => {
      const url = Object.entries(urls).find(([path]) => path.endsWith(`/${info.folder}/${file}`))?.[1];
      if (!url) throw new Error(`the bundled file ${info.folder}/${file} is missing from this build`);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${file}: ${response.status} ${response.statusText}`);
      return [file, new Uint8Array(await response.arrayBuffer())] as const;
    }),
  );
  return Object.fromEntries(entries);
}
