import { writeFileSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AppSession, longTasksByPhase, openApp, phase, readProgress, recordLongTasks } from './browser';

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
});
afterAll(async () => app?.close());

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  hitCount?: number;
}
async function profile(cdp: CDPSession, page: Page, name: string, act: () => Promise<void>) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await phase(page, name);
  await act();
  await page.waitForTimeout(1500);
  const { profile } = await cdp.send('Profiler.stop');
  const nodes = new Map<number, Node>((profile.nodes as Node[]).map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of nodes.values()) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const dt = profile.timeDeltas as number[];
  const samples = profile.samples as number[];
  const label = (n: Node) => `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber}`;
  samples.forEach((id, i) => {
    const d = (dt[i + 1] ?? 0) / 1000;
    const n = nodes.get(id);
    if (!n || ['(idle)', '(program)'].includes(n.callFrame.functionName)) return;
    self.set(label(n), (self.get(label(n)) ?? 0) + d);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const l = label(nodes.get(x)!);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + d);
    }
  });
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .filter(([k], i) => i < 22 || /^[A-Z]|draw|uPlot|Effect|layout|measure/i.test(k))
      .slice(0, 90)
      .map(([k, v]) => `${v.toFixed(0).padStart(5)} ${k}`)
      .join('\n');
  console.log(`=== ${name}\n-- self\n${top(self)}\n-- inclusive\n${top(incl)}`);
}

it('profile transitions', async () => {
  const page = await app.newPage(recordLongTasks);
  await page.addInitScript(() => {
    const w = window as unknown as { msgStats: Record<string, { n: number; ms: number; max: number }> };
    w.msgStats = {};
    const add = MessagePort.prototype.addEventListener;
    MessagePort.prototype.addEventListener = function (
      this: MessagePort,
      type: string,
      listener: EventListener,
      opts?: unknown,
    ) {
      if (type !== 'message') return add.call(this, type, listener, opts as boolean);
      return add.call(
        this,
        type,
        (ev: Event) => {
          const t0 = performance.now();
          const data = (ev as MessageEvent).data;
          const t1 = performance.now();
          listener(ev);
          const t2 = performance.now();
          const v = data?.value?.[0]?.value ?? data?.argumentList?.[0]?.value;
          const kind = `${data?.type}/${v?.type ?? ''}`;
          const st = (w.msgStats[kind] ??= { n: 0, ms: 0, max: 0 });
          st.n++;
          st.ms += t2 - t0;
          st.max = Math.max(st.max, t2 - t0, t1 - t0);
        },
        opts as boolean,
      );
    } as typeof MessagePort.prototype.addEventListener;
  });
  await page.reload();
  const cdp = await page.context().newCDPSession(page);
  await page.getByTestId('sample-picker').selectOption(process.env.SAMPLE ?? 'spiral.json');
  await expect.poll(() => page.getByTestId('graph-status').textContent(), { timeout: 30000 }).toBe('ready to train');
  await page.locator('#setting-epochs').fill('20000');
  await page.locator('#setting-epochs').blur();
  if (process.env.CONTAIN)
    await page.evaluate((c) => {
      for (const sel of ['.toolbar', '.training-bar', '.status-bar', '.palette', '.inspector', '.canvas', '.results'])
        for (const e of document.querySelectorAll<HTMLElement>(sel)) e.style.contain = c;
    }, process.env.CONTAIN);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const only = process.env.ONLY ?? '';
  const maybe = async (name: string, act: () => Promise<void>) => {
    if (only && !only.includes(name)) {
      await phase(page, name);
      await act();
      await page.waitForTimeout(1500);
    } else await profile(cdp, page, name, act);
  };
  if (process.env.TRACE && !process.env.RUNONLY)
    await cdp.send('Tracing.start', {
      categories:
        process.env.TRACE === 'prof'
          ? 'toplevel,devtools.timeline,disabled-by-default-v8.cpu_profiler,v8'
          : 'toplevel,devtools.timeline',
      transferMode: 'ReturnAsStream',
    });
  await maybe('train', () => page.getByTestId('train').click());
  await expect
    .poll(async () => (await readProgress(page)).step, { timeout: 60_000 })
    .toBeGreaterThan(Number(process.env.WARM ?? 100));
  if (process.env.RUNONLY) {
    await page.waitForTimeout(2000);
    if (process.env.VCONTAIN)
      await page.evaluate((c) => {
        for (const e of document.querySelectorAll<HTMLElement>(c === 'hide' ? '.telemetry' : '.telemetry .v')) {
          if (c === 'hide') e.style.visibility = 'hidden';
          else {
            e.style.contain = 'strict';
            e.style.height = '1.2em';
          }
        }
      }, process.env.VCONTAIN);
    await phase(page, 'run');
    await cdp.send('Tracing.start', {
      categories:
        process.env.TRACE === 'prof'
          ? 'toplevel,devtools.timeline,disabled-by-default-v8.cpu_profiler,v8'
          : process.env.TRACE === 'inv'
            ? 'toplevel,devtools.timeline,disabled-by-default-devtools.timeline.invalidationTracking'
            : 'toplevel,devtools.timeline',
      transferMode: 'ReturnAsStream',
    });
    await page.waitForTimeout(Number(process.env.RUNONLY));
    const done = new Promise<string>((resolve) =>
      cdp.once('Tracing.tracingComplete', (e) => resolve(e.stream as string)),
    );
    await cdp.send('Tracing.end');
    const stream = await done;
    const parts: string[] = [];
    for (;;) {
      const r = await cdp.send('IO.read', { handle: stream });
      parts.push(r.data);
      if (r.eof) break;
    }
    writeFileSync('/tmp/trace.json', parts.join(''));
    console.log((await longTasksByPhase(page)).join('\n'));
    return;
  }
  await maybe('pause', () => page.getByTestId('pause').click());
  await maybe('step', () => page.getByTestId('step').click());
  await maybe('lr', async () => {
    await page.locator('#setting-learning-rate').fill('0.005');
    await page.locator('#setting-learning-rate').blur();
  });
  await maybe('resume', () => page.getByTestId('resume').click());
  await maybe('stop', () => page.getByTestId('stop').click());
  if (process.env.TRACE) {
    const done = new Promise<string>((resolve) =>
      cdp.once('Tracing.tracingComplete', (e) => resolve(e.stream as string)),
    );
    await cdp.send('Tracing.end');
    const stream = await done;
    const parts: string[] = [];
    for (;;) {
      const r = await cdp.send('IO.read', { handle: stream });
      parts.push(r.data);
      if (r.eof) break;
    }
    writeFileSync('/tmp/trace.json', parts.join(''));
  }
  console.log((await longTasksByPhase(page)).join('\n'));
  console.log(
    JSON.stringify(await page.evaluate(() => (window as unknown as { msgStats: unknown }).msgStats), null, 1),
  );
}, 300_000);
