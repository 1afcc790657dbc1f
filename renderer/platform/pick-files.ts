/**
 * Files the user chooses through a file input: the browser's picker (and the desktop app's, from a click).
 * The input sits in the page, named by `testid`, so that automated tests can find it and set its files.
 * Empty when cancelled.
 */
export function pickFiles(options: {
  accept: string;
  multiple?: boolean;
  folder?: boolean;
  testid: string;
}): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.dataset.testid = options.testid;
    input.style.display = 'none';
    input.multiple = options.multiple ?? false;
    input.accept = options.accept;
    if (options.folder) input.webkitdirectory = true;
    const done = (files: File[]) => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('cancel', () => done([]));
    input.addEventListener('change', () => done(input.files ? [...input.files] : []));
    document.body.append(input);
    input.click();
  });
}
