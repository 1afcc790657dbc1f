/** CPU buffers are typed arrays: float32 for training, float64 for gradient checks. */
export type FloatArray = Float32Array | Float64Array;
