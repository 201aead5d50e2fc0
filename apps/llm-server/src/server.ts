import { exitOnStartError, startServer } from '@model-loader/fastify';
import { buildApp } from './app.js';
import { loadLlmServerConfig } from './config/llm-server-config.js';

// Only listens: everything else is in app.ts and the config loader.
try {
  const config = await loadLlmServerConfig();
  const app = await buildApp(config);
  if (config.generatedDemoModels.length > 0) {
    app.log.info(
      { modelDir: config.modelDir, files: config.generatedDemoModels },
      `generated demo models into ${config.modelDir}`,
    );
  }
  app.log.info(
    { modelsFile: config.modelsFile, modelDir: config.modelDir, demo: config.demo },
    config.demo
      ? `DEMO=1: serving the tiny demo models of ${config.modelsFile} from ${config.modelDir} (set MODELS_FILE, without DEMO, to serve your own)`
      : `serving the models of ${config.modelsFile} from ${config.modelDir}`,
  );
  // When SHUTDOWN_GRACE_MS ends, open streams get a SHUTTING_DOWN event and [DONE], then exit 0.
  await startServer(app, config, { onGracePeriodEnd: () => void app.openStreams.closeAll() });
} catch (error) {
  exitOnStartError('llm-server', error);
}
