import * as Comlink from 'comlink';
import { createEngineApi } from './api';

// The worker is the engine: the page talks to it only through this exposed API.
Comlink.expose(createEngineApi({ gpu: self.navigator.gpu, cores: self.navigator.hardwareConcurrency }));
