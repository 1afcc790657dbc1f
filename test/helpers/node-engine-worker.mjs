// Worker threads do not inherit the test runner's TypeScript loader: register tsx here, then load the engine.
import { register } from 'tsx/esm/api';

register();
await import('./node-engine-worker.ts');
