export type BackendId = 'cpu' | 'webgpu';
