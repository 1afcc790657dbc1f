// The CPU backend's WebAssembly kernels (AssemblyScript, compiled by scripts/build-wasm.ts). They work on
// float32 arrays that live in the backend's shared WebAssembly memory, addressed by byte offset.
export { gemm, gemmRowsScratchFloats, gemmScratchFloats, packBWhole, packedBFloats } from './gemm';
export { addBias, biasGrad, copy, copyBlocks, fill, fillBits, mul, relu, reluBackward, sigmoidBackward, tanhBackward } from './elementwise';
export { adadelta, adam, momentum, optimizerBits, scale, scaleBits, scaledBySquares, sgd, sumSquares, sumSquaresInto } from './optimizer';
export { col2im, convBackwardInput, convBackwardWeight, convForward, im2col, samplesPerProduct } from './conv';
export { maxPool, maxPoolBackward } from './pool';
export { lstmCell, lstmCellBackward, lstmStepBackwardRows, lstmStepRows, sigmoid, tanh } from './recurrent';
export { col2imRowsScratchFloats, col2imSlackFloats } from './col2im-rows';
export { byPositionsScratchFloats, weightsInPlaceScratchFloats } from './conv-positions';
