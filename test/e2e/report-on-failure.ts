import { afterEach } from 'vitest';
import { reportOpenPages, takeStacksOfFailedPages } from './browser';

// After a failed test (a timeout included), each page it left open is described: see reportOpenPages. The
// stage that measures the page's frames asks for no stacks (NETLOOM_E2E_STACKS=off in its config).
takeStacksOfFailedPages(process.env.NETLOOM_E2E_STACKS !== 'off');
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await reportOpenPages(task.name);
});
