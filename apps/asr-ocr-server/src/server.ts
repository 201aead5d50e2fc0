import { exitOnStartError, startServer } from '@model-loader/fastify';
import { buildApp } from './app.js';
import { loadAsrOcrConfig } from './config/load-asr-ocr-config.js';

// Only listens: everything else is in app.ts. A bad configuration stops here with its message.
try {
  const config = await loadAsrOcrConfig();
  const app = await buildApp(config);
  if (config.generatedDemoModels.length > 0) {
    app.log.info(
      { modelDir: config.modelDir, folders: config.generatedDemoModels },
      `generated demo models into ${config.modelDir}`,
    );
  }
  app.log.info(
    { modelsFile: config.modelsFile, modelDir: config.modelDir, demo: config.demo },
    `serving the ${config.demo ? 'demo ' : ''}models of ${config.modelsFile} from ${config.modelDir}`,
  );
  const { address } = await startServer(app, config);
  app.log.info(
    { address, modelDir: config.modelDir, demo: config.demo },
    config.demo
      ? `ASR/OCR server (demo models) listening on ${address}`
      : `ASR/OCR server listening on ${address}`,
  );
} catch (error) {
  exitOnStartError('asr-ocr-server', error);
}
