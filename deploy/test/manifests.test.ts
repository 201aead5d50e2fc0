import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseDeployment, deployDir, manifestFiles, readManifest } from './manifests.js';

const apps = ['llm-server', 'asr-ocr-server'];

describe('Kubernetes manifests', () => {
  it('every manifest parses and every object names its apiVersion, kind and name', async () => {
    const files = await manifestFiles();
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) {
      for (const object of await readManifest(file)) {
        if (object.kind === 'Kustomization') continue;
        expect(object.apiVersion, file).toEqual(expect.any(String));
        expect(object.metadata?.name, file).toEqual(expect.any(String));
      }
    }
  });

  it('every kustomization lists files and folders that exist, and patches target existing objects', async () => {
    const names = new Set<string>();
    for (const file of await manifestFiles()) {
      for (const object of await readManifest(file))
        names.add(`${object.kind}/${object.metadata?.name}`);
    }
    const kustomizations = (await manifestFiles()).filter((file) =>
      file.endsWith('kustomization.yaml'),
    );
    expect(kustomizations).toContain('kubernetes/overlays/cpu/kustomization.yaml');
    expect(kustomizations).toContain('kubernetes/overlays/gpu/kustomization.yaml');
    for (const file of kustomizations) {
      const [kustomization] = await readManifest(file);
      const folder = join(deployDir, dirname(file));
      for (const resource of kustomization?.resources ?? []) {
        await expect(
          access(join(folder, resource)),
          `${file} -> ${resource}`,
        ).resolves.toBeUndefined();
      }
      for (const patch of kustomization?.patches ?? []) {
        await expect(access(join(folder, patch.path))).resolves.toBeUndefined();
        expect(names, `${file} patch target`).toContain(
          `${patch.target.kind}/${patch.target.name}`,
        );
      }
    }
  });

  it.each(apps)(
    "%s: the fingerprint cache is the pod's own emptyDir, written only by the init container",
    async (app) => {
      const deployment = await baseDeployment(app);
      const pod = deployment.spec.template.spec;
      const cache = pod.volumes.find(
        (volume: { name: string }) => volume.name === 'fingerprint-cache',
      );
      expect(cache).toEqual({ name: 'fingerprint-cache', emptyDir: {} });
      const mounts = (container: { volumeMounts: { name: string; readOnly?: boolean }[] }) =>
        container.volumeMounts.filter((mount) => mount.name === 'fingerprint-cache');
      expect(mounts(pod.initContainers[0])).toEqual([
        { name: 'fingerprint-cache', mountPath: '/cache' },
      ]);
      for (const container of pod.containers) {
        for (const mount of mounts(container)) expect(mount.readOnly, container.name).toBe(true);
      }
    },
  );

  it.each(apps)(
    '%s: runs as non-root with no privilege escalation, in every container',
    async (app) => {
      const deployment = await baseDeployment(app);
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      for (const container of [...pod.initContainers, ...pod.containers]) {
        expect(container.securityContext.allowPrivilegeEscalation, container.name).toBe(false);
        expect(container.securityContext.capabilities.drop, container.name).toEqual(['ALL']);
      }
    },
  );

  it.each(apps)(
    '%s: liveness never depends on model state; startup and readiness wait for the models',
    async (app) => {
      const container = (await baseDeployment(app)).spec.template.spec.containers[0];
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.startupProbe.httpGet.path).toBe('/health/ready');
      const startupBudgetInSeconds =
        container.startupProbe.periodSeconds * container.startupProbe.failureThreshold;
      expect(startupBudgetInSeconds).toBeGreaterThanOrEqual(300);
    },
  );

  it.each(apps)(
    '%s: the grace period outlasts the drain, and the probes use the container port',
    async (app) => {
      const pod = (await baseDeployment(app)).spec.template.spec;
      const container = pod.containers[0];
      const env = Object.fromEntries(
        container.env
          .filter((v: { value?: string }) => v.value)
          .map((v: { name: string; value: string }) => [v.name, v.value]),
      );
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
        Number(env.SHUTDOWN_GRACE_MS),
      );
      expect(container.ports).toEqual([{ name: 'http', containerPort: Number(env.PORT) }]);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        expect(container[probe].httpGet.port, probe).toBe('http');
      }
      expect(env.HOST).toBe('0.0.0.0');
    },
  );

  it.each(apps)(
    '%s: mounts the model volume read-only everywhere but in the pull init container, which runs first',
    async (app) => {
      const pod = (await baseDeployment(app)).spec.template.spec;
      expect(pod.initContainers.map((container: { name: string }) => container.name)).toEqual([
        'pull-models',
        'verify-models',
      ]);
      for (const container of [...pod.initContainers, ...pod.containers]) {
        const models = container.volumeMounts.find(
          (mount: { name: string }) => mount.name === 'models',
        );
        expect(models, container.name).toMatchObject({
          mountPath: '/models',
          ...(container.name === 'pull-models' ? {} : { readOnly: true }),
        });
        if (container.name === 'pull-models') expect(models.readOnly).toBeUndefined();
      }
      const [pvc] = await readManifest(`kubernetes/base/${app}/pvc.yaml`);
      expect(pvc?.spec.accessModes).toEqual(['ReadWriteMany']);
    },
  );

  it('the GPU overlay runs the CUDA variant of the LLM image, which the base does not', async () => {
    const [gpu] = await readManifest('kubernetes/overlays/gpu/kustomization.yaml');
    expect(gpu?.images).toEqual([{ name: 'model-loader/llm-server', newTag: '0.1.0-cuda' }]);
    const base = (await baseDeployment('llm-server')).spec.template.spec.containers[0];
    expect(base.image).toBe('model-loader/llm-server:0.1.0');
  });
});
