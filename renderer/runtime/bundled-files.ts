import { type BundledName, bundledDatasets, fetchBundledFiles } from '../../engine/data/bundled';

/** URLs of the bundled dataset files, as the build serves them. */
const urls = import.meta.glob('../../samples/data/**/*.gz', {
  query: '?url',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/**
 * Where this build serves a bundled dataset's files, by file name: whole URLs, so that the engine's worker
 * (whose own address is elsewhere in the build) fetches the same files.
 */
export function bundledUrls(name: BundledName): Record<string, string> {
  const info = bundledDatasets[name];
  return Object.fromEntries(
    info.files.map((file) => {
      const url = Object.entries(urls).find(([path]) => path.endsWith(`/${info.folder}/${file}`))?.[1];
      if (!url) throw new Error(`the bundled file ${info.folder}/${file} is missing from this build`);
      return [file, new URL(url, document.baseURI).href];
    }),
  );
}

/** The bytes of a bundled dataset's files (still gzipped: the engine unpacks them), for an export. */
export async function fetchBundled(name: BundledName): Promise<Record<string, Uint8Array>> {
  return fetchBundledFiles(bundledUrls(name));
}
