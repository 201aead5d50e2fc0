// Child process of the fuzz test: loads each GGUF file named on the command line with
// node-llama-cpp (CPU, one thread), creates a small context and generates two tokens, printing one
// JSON line per file. A native crash kills this process; the parent sees which file was last started.
import { getLlama, LlamaCompletion } from 'node-llama-cpp';

const llama = await getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: 'disabled' });
for (const [index, path] of process.argv.slice(2).entries()) {
  process.stdout.write(`${JSON.stringify({ index, started: true })}\n`);
  let outcome = 'loaded';
  try {
    const model = await llama.loadModel({ modelPath: path });
    try {
      const context = await model.createContext({ contextSize: 256, threads: 1 });
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      await completion.generateCompletion('hi', { maxTokens: 2 });
      await context.dispose();
    } finally {
      await model.dispose();
    }
  } catch (error) {
    outcome = `error: ${error instanceof Error ? error.message : String(error)}`;
  }
  process.stdout.write(`${JSON.stringify({ index, outcome })}\n`);
}
