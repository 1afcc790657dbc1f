import * as Comlink from 'comlink';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent, TelemetryFrame } from '../../engine/api';
import type { ConnectEngine } from '../../renderer/runtime/engine-connection';
import type { TrainingSessionOptions } from '../../renderer/runtime/session-state';
import { TrainingSession } from '../../renderer/runtime/training-session';
import { chain } from '../helpers/graphs';
import { nodeEngines } from '../helpers/node-engine';

/** An MLP on XOR, with the dataset generated in the worker from the document. */
const xor = (epochs: number) =>
  chain(
    [2],
    [
      ['dense', { units: 8 }],
      ['activation', { fn: 'tanh' }],
      ['dense', { units: 2 }],
    ],
    {
      dataset: { source: 'synthetic', generator: 'xor', samples: 64 },
      validation: { split: 0 },
      optimizer: { kind: 'adam', lr: 0.05 },
      batchSize: 8,
      epochs,
      seed: 3,
    },
  );

const sessions: TrainingSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
});

function open(
  epochs: number,
  connect = nodeEngines().connect,
  heartbeat: TrainingSessionOptions['heartbeat'] = { intervalMs: 100, timeoutMs: 2000 },
) {
  const session = new TrainingSession({
    connect,
    doc: xor(epochs),
    data: { kind: 'document' },
    engine: { telemetryIntervalMs: 20, checkpointIntervalMs: 50 },
    heartbeat,
    frameMs: 50,
  });
  sessions.push(session);
  const seen: string[] = [];
  session.state$.subscribe((s) => seen.push(s));
  history.set(session, seen);
  return session;
}

/** Every state a session went through, so a wait cannot miss a short one. */
const history = new Map<TrainingSession, string[]>();
const reach = (session: TrainingSession, state: string) =>
  firstValueFrom(session.state$.pipe(filter(() => history.get(session)!.includes(state))));

describe('training in a real worker (Comlink over worker_threads)', () => {
  it('trains XOR to 100%, pauses, changes the learning rate, resumes and finishes, streaming telemetry', async () => {
    const session = open(300);
    const frames: TelemetryFrame[] = [];
    const lrs = new Set<number>();
    session.telemetry$.subscribe((f) => frames.push(f));
    session.steps$.subscribe((s) => {
      for (const lr of s.lr) lrs.add(lr);
    });
    await session.start();
    await firstValueFrom(session.latestStep$.pipe(filter((s) => s.step >= 100)));
    await session.pause();
    await reach(session, 'paused');
    const pausedAt = session.info$.value;
    const info = await session.updateSettings({
      optimizer: { kind: 'adam', lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    });
    expect(info.step).toBeGreaterThanOrEqual(100);
    expect(pausedAt).not.toBeNull();
    await session.resume();
    await reach(session, 'finished');
    const result = await session.evaluate();
    expect(result.accuracy).toBe(1);
    expect(lrs.has(0.05) && lrs.has(0.02)).toBe(true);
    expect(frames.length).toBeGreaterThan(2);
    const dense = frames.at(-1)!.nodes.find((n) => n.id === 'n1')!;
    expect(dense.weightNorm).toBeGreaterThan(0);
    expect(dense.activation.histogram.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('stops a long run mid-way when asked (within one step: see the engine API test)', async () => {
    const session = open(100_000);
    let last = 0;
    session.latestStep$.subscribe((s) => {
      last = s.step;
    });
    await session.start();
    await firstValueFrom(session.latestStep$.pipe(filter((s) => s.step >= 20)));
    await session.stop();
    await reach(session, 'stopped');
    expect(history.get(session)).not.toContain('finished');
    // XOR's 64 samples in batches of 8: 800,000 steps in all.
    expect(last).toBeGreaterThanOrEqual(20);
    expect(last).toBeLessThan(800_000);
  });

  it('recovers from a killed worker at its last checkpoint and finishes', async () => {
    const engines = nodeEngines();
    const session = open(200, engines.connect);
    const notices: string[] = [];
    session.notices$.subscribe((n) => notices.push(n.message));
    await session.start();
    await firstValueFrom(session.latestStep$.pipe(filter((s) => s.step >= 150)));
    const checkpointAtKill = session.checkpointStep;
    expect(checkpointAtKill).toBeGreaterThan(0);
    await engines.workers[0].terminate();
    await reach(session, 'recovering');
    const resumedFrom = await firstValueFrom(session.steps$);
    // The new worker went on from the checkpoint: it lost at most the steps since it.
    expect(resumedFrom.step[0]).toBe(session.info$.value!.step + 1);
    // The checkpoint seen before the kill, or one the worker wrote while it was being stopped (on a busy
    // machine one can arrive in between): never an older one, never the steps after the last checkpoint.
    expect(session.info$.value!.step).toBeGreaterThanOrEqual(checkpointAtKill);
    expect(notices.some((m) => m.includes(`checkpoint at step ${session.info$.value!.step}`))).toBe(true);
    await reach(session, 'finished');
    expect(engines.workers).toHaveLength(2);
    expect(notices.some((m) => /crashed .*checkpoint at step \d+/.test(m))).toBe(true);
    expect((await session.evaluate()).accuracy).toBe(1);
  });

  /**
   * The first worker hangs at a moment the test chooses: from then on it answers nothing (pings, pause, the
   * run under way) and sends no events, as a worker stuck in a computation would.
   */
  function hangingFirstWorker() {
    const engines = nodeEngines();
    const hang = { now: false, created: 0 };
    const never = () => new Promise<never>(() => {});
    const connect: ConnectEngine = () => {
      const connection = engines.connect();
      if (hang.created++ > 0) return connection;
      const api = new Proxy(connection.api, {
        get(target, key) {
          const real = Reflect.get(target, key) as (...args: unknown[]) => Promise<unknown>;
          if (key === 'subscribe')
            return (listener: (event: EngineEvent) => void) =>
              real(Comlink.proxy((event: EngineEvent) => hang.now || listener(event)));
          if (typeof real !== 'function' || typeof key === 'symbol') return real;
          return (...args: unknown[]) =>
            hang.now
              ? never()
              : new Promise((resolve, reject) =>
                  real(...args).then(
                    (value) => hang.now || resolve(value),
                    (error) => hang.now || reject(error),
                  ),
                );
        },
      });
      return { ...connection, api };
    };
    return { connect, hang };
  }

  it('replaces an engine that stops answering, and goes on training from its checkpoint', async () => {
    const { connect, hang } = hangingFirstWorker();
    const session = open(400, connect, { intervalMs: 30, timeoutMs: 200 });
    const notices: string[] = [];
    session.notices$.subscribe((n) => notices.push(n.message));
    await session.start();
    await firstValueFrom(session.latestStep$.pipe(filter((s) => s.step >= 50)));
    hang.now = true;
    await reach(session, 'recovering');
    await reach(session, 'finished');
    expect(hang.created).toBe(2);
    expect(notices.some((m) => /stopped answering/.test(m))).toBe(true);
  });

  it('keeps a pause sent to a worker that is replaced before it answers: the new worker waits, paused', async () => {
    const { connect, hang } = hangingFirstWorker();
    const session = open(100_000, connect, { intervalMs: 30, timeoutMs: 200 });
    await session.start();
    await firstValueFrom(session.latestStep$.pipe(filter((s) => s.step >= 50)));
    hang.now = true;
    void session.pause();
    await reach(session, 'recovering');
    await reach(session, 'paused');
    expect(hang.created).toBe(2);
    const states = history.get(session)!;
    expect(states.slice(states.lastIndexOf('recovering'))).toEqual(['recovering', 'paused']);
    // Paused for good: no step comes from the new worker until asked.
    const steps: number[] = [];
    session.steps$.subscribe((s) => steps.push(...s.step));
    const resumedFrom = session.checkpointStep;
    await session.step();
    expect(steps).toEqual([resumedFrom + 1]);
    expect(session.state).toBe('paused');
  });

  it('keeps a worker whose steps are slow, once it has answered after each', async () => {
    // A worker busy for 400 ms a step answers nothing meanwhile (its pings wait for the step): twice the
    // 200 ms of silence the heartbeat allows at least, but the gaps it is seen to take raise the allowance.
    const engines = nodeEngines();
    let created = 0;
    const connect: ConnectEngine = () => {
      created++;
      const connection = engines.connect();
      let busy: Promise<unknown> = Promise.resolve();
      const api = new Proxy(connection.api, {
        get(target, key) {
          const real = Reflect.get(target, key) as (...args: unknown[]) => Promise<unknown>;
          if (key === 'run')
            return (...args: unknown[]) => {
              busy = new Promise((resolve) => setTimeout(resolve, 400)).then(() => real(...args));
              return busy;
            };
          if (key === 'ping') return () => busy.then(() => real());
          return real;
        },
      });
      return { ...connection, api };
    };
    // Before its first step the allowance is the first step's (2 s here); after, what was measured.
    const session = open(100_000, connect, { intervalMs: 30, timeoutMs: 200, firstStepMs: 2000 });
    await session.start({ paused: true });
    for (let i = 0; i < 4; i++) await session.step();
    expect(session.state).toBe('paused');
    expect(created).toBe(1);
  });

  it('takes single steps when paused, and refuses structural edits during a run', async () => {
    const session = open(300);
    const steps: number[] = [];
    session.steps$.subscribe((s) => steps.push(...s.step));
    await session.start();
    await firstValueFrom(session.latestStep$.pipe(filter((s) => s.step >= 10)));
    await session.pause();
    await reach(session, 'paused');
    const before = steps.at(-1)!;
    await session.step();
    expect(steps.at(-1)).toBe(before + 1);
    expect(session.state).toBe('paused');

    const doc = xor(300);
    expect(session.canApply({ ...doc, training: { ...doc.training, batchSize: 4 } })).toEqual({ ok: true });
    const rewired = {
      ...doc,
      nodes: doc.nodes.map((n) => (n.id === 'n1' ? { ...n, params: { ...n.params, units: 16 } } : n)),
    } as typeof doc;
    const refused = session.canApply(rewired);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toMatch(/network changed during this run/);
  });
});
