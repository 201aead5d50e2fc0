import { getLlama, LlamaCompletion } from 'node-llama-cpp';
const llama = await getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: 'warn' });
const model = await llama.loadModel({ modelPath: process.argv[2] });
console.log('loaded');
console.log(model.tokenize(process.argv[3]).length);
const context = await model.createContext({ contextSize: 256, threads: 1 });
const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
console.log(await completion.generateCompletion(process.argv[3], { maxTokens: 2 }));
