// What a reviewer checks in the deployment files, against the apps themselves: no Docker engine or cluster is needed.
// The Kubernetes manifests are read from infra/k8s/base (every file its kustomization lists), and rendered with
// `kubectl kustomize` too when kubectl is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Every app under apps/, with the port its environment class serves by default; services are those with migrations. */
const apps = readdirSync(join(root, 'apps')).map((name) => {
  const configDir = join(root, 'apps', name, 'src', 'config');
  const environment = readdirSync(configDir)
    .filter((file) => file.endsWith('.environment.ts'))
    .map((file) => readFileSync(join(configDir, file), 'utf8'))
    .join('\n');
  const port = /\bPORT: number = (\d+)/.exec(environment)?.[1];
  if (!port) throw new Error(`apps/${name}: no default PORT in its environment class`);
  return { name, port: Number(port), migrates: existsSync(join(root, 'apps', name, 'src', 'migrate.ts')) };
});
const services = apps.filter((app) => app.migrates);

/** The NATS users of infra/nats/nats-server.conf and the environment variable each one's password comes from. */
const natsPasswords = new Map(
  [...read('infra/nats/nats-server.conf').matchAll(/user: ([\w-]+)\s+password: \$(\w+)/g)].map(([, user, variable]) => [user, variable]),
);

type Manifest = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: any; data?: Record<string, string> };
type Container = {
  name: string;
  image: string;
  command?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }[];
  livenessProbe?: { httpGet: { path: string; port: string | number } };
  readinessProbe?: { httpGet: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
};

function loadBase(): Manifest[] {
  const kustomization = parse(read('infra/k8s/base/kustomization.yaml'));
  return (kustomization.resources as string[]).flatMap((file) => {
    expect(existsSync(join(root, 'infra/k8s/base', file)), `${file} listed in kustomization.yaml`).toBe(true);
    return parseAllDocuments(read(join('infra/k8s/base', file))).map((document) => document.toJS() as Manifest);
  });
}

const manifests = loadBase();
const ofKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const deploymentOf = (name: string) => ofKind('Deployment').find((deployment) => deployment.metadata.name === name);
const containersOf = (workload: Manifest): Container[] => workload.spec.template.spec.containers;
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

const envFile = (path: string) =>
  new Map(
    read(path)
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
const exampleSecret = envFile('infra/k8s/overlays/example/secrets.example.env');
const baseConfig = envFile('infra/k8s/base/config.env');

describe('the Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('is the only one: no per-app Dockerfiles left', () => {
    expect(apps.filter((app) => existsSync(join(root, 'apps', app.name, 'Dockerfile'))).map((app) => app.name)).toEqual([]);
  });

  it('builds on Node 22, takes SERVICE, runs as a non-root user and checks health with node itself', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-/m);
    expect(dockerfile).toMatch(/^ARG SERVICE$/m);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map(([, user]) => user);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const healthcheck = /^HEALTHCHECK[^\n]*\\\n\s+CMD (.*)$/m.exec(dockerfile)?.[1] ?? '';
    expect(healthcheck).toContain('"node", "-e"');
    expect(healthcheck).toContain('/health/ready');
    expect(healthcheck).not.toMatch(/curl|wget/);
  });

  it('accepts exactly the apps under apps/, each with the port its environment class serves', () => {
    const accepted = /case "\$\{SERVICE\}:\$\{PORT\}" in \\\n\s+([^)]+)\)/.exec(dockerfile)?.[1];
    const pairs = (accepted ?? '').split('|').map((pair) => pair.trim()).sort();
    expect(pairs).toEqual(apps.map((app) => `${app.name}:${app.port}`).sort());
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true });

  it.each(apps)('builds and runs $name from the one Dockerfile on its port', ({ name, port }) => {
    const service = compose.services[name];
    expect(service.build).toEqual({ context: '.', args: { SERVICE: name, PORT: String(port) } });
    expect(service.environment.PORT).toBe(String(port));
    expect(service.ports).toEqual([`${port}:${port}`]);
    expect(service.read_only).toBe(true);
  });

  it('serves the console on 3000, forwarding to the services by their compose names and ports', () => {
    const { environment } = compose.services.console;
    expect(compose.services.console.ports).toEqual(['3000:3000']);
    for (const service of ['channel-config', 'ticketing', 'ai-responder', 'mail-ingest']) {
      const port = apps.find((app) => app.name === service)!.port;
      expect(environment[`${service.toUpperCase().replace('-', '_')}_URL`]).toBe(`http://${service}:${port}`);
    }
  });

  it('starts the services once PostgreSQL and NATS are healthy, each logged in as its own NATS user', () => {
    for (const { name } of services) {
      const service = compose.services[name];
      expect(service.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, nats: { condition: 'service_healthy' } });
      expect(service.environment.NATS_USER).toBe(name);
      expect(service.environment.NATS_PASSWORD).toContain(`\${${natsPasswords.get(name)}`);
      // Migrations at start (under the advisory lock) is the default here; only Kubernetes turns it off.
      expect(service.environment.MIGRATIONS_AT_START).toBeUndefined();
    }
  });

  it('runs NATS from an image that can run its healthcheck, with the locked-down configuration', () => {
    const nats = compose.services.nats;
    // The plain `nats` image is FROM scratch: no wget, no shell, and a healthcheck that never passes.
    expect(nats.image).toMatch(/^nats:[\d.]+-alpine$/);
    expect(nats.healthcheck.test[0]).toBe('CMD');
    expect(nats.healthcheck.test[1]).toBe('wget');
    expect(nats.healthcheck.test.at(-1)).toContain('/healthz');
    expect(nats.command).toEqual(expect.arrayContaining(['-c', '/etc/nats/nats-server.conf']));
    expect(nats.volumes).toContain('./infra/nats:/etc/nats:ro');
    for (const variable of natsPasswords.values()) expect(Object.keys(nats.environment)).toContain(variable);
  });
});

describe('the Kubernetes manifests (infra/k8s)', () => {
  it.each(apps)('run $name as a Deployment with probes on its port, resources, and non-root on a read-only root', ({ name, port }) => {
    const deployment = deploymentOf(name)!;
    expect(deployment).toBeDefined();
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    const [container] = containersOf(deployment);
    expect(container.image).toBe(`ensoras/${name}`);
    expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(container.env).toContainEqual({ name: 'PORT', value: String(port) });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it.each(apps)('give $name a Service on its port and a PodDisruptionBudget, both selecting its replicas only', ({ name, port }) => {
    const podLabels = deploymentOf(name)!.spec.template.metadata.labels;
    const service = ofKind('Service').find((candidate) => candidate.metadata.name === name)!;
    expect(service.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
    expect(matches(service.spec.selector, podLabels)).toBe(true);
    const budgets = ofKind('PodDisruptionBudget').filter((budget) => matches(budget.spec.selector.matchLabels, podLabels));
    expect(budgets).toHaveLength(1);
    // A migrations Job's pod is never behind the Service (it would be "ready" with no probe) nor counted by the budget.
    for (const job of ofKind('Job')) {
      expect(matches(service.spec.selector, job.spec.template.metadata.labels)).toBe(false);
      expect(matches(budgets[0].spec.selector.matchLabels, job.spec.template.metadata.labels)).toBe(false);
    }
  });

  it('have one PodDisruptionBudget per Deployment and nothing else', () => {
    expect(ofKind('PodDisruptionBudget')).toHaveLength(ofKind('Deployment').length);
    expect(ofKind('Deployment').map((deployment) => deployment.metadata.name).sort()).toEqual(apps.map((app) => app.name).sort());
  });

  it.each(services)('migrate $name with a Job that runs only its migrations, with the database secret only', ({ name }) => {
    const jobs = ofKind('Job').filter((job) => containersOf(job)[0].image === `ensoras/${name}`);
    expect(jobs).toHaveLength(1);
    const [container] = containersOf(jobs[0]);
    expect(container.command).toEqual(['node', `apps/${name}/dist/migrate.js`]);
    expect(container.env?.map((variable) => variable.name)).toEqual(['DATABASE_URL']);
    expect(['Never', 'OnFailure']).toContain(jobs[0].spec.template.spec.restartPolicy);
    expect(jobs[0].spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
  });

  it('turn migrations at start off for the replicas, since the Jobs run them', () => {
    expect(baseConfig.get('MIGRATIONS_AT_START')).toBe('false');
    for (const { name } of services) {
      expect(deploymentOf(name)!.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'ensoras-config' } }]);
    }
  });

  it('read every secret from keys the example Secret has, each service with its own NATS user and password', () => {
    const workloads = [...ofKind('Deployment'), ...ofKind('Job')];
    const references = workloads.flatMap((workload) => containersOf(workload).flatMap((container) => container.env ?? []));
    for (const { valueFrom } of references.filter((variable) => variable.valueFrom?.secretKeyRef)) {
      expect(valueFrom!.secretKeyRef!.name).toBe('ensoras-secrets');
      expect([...exampleSecret.keys()]).toContain(valueFrom!.secretKeyRef!.key);
    }
    for (const { name } of services) {
      const env = containersOf(deploymentOf(name)!)[0].env ?? [];
      expect(env).toContainEqual({ name: 'NATS_USER', value: name });
      expect(env.find((variable) => variable.name === 'NATS_PASSWORD')?.valueFrom?.secretKeyRef?.key).toBe(natsPasswords.get(name));
      for (const required of ['DATABASE_URL', 'ADMIN_TOKEN']) {
        expect(env.find((variable) => variable.name === required)?.valueFrom?.secretKeyRef).toMatchObject({ key: required });
      }
    }
    // The console holds no secret at all.
    expect(containersOf(deploymentOf('console')!)[0].env?.some((variable) => variable.valueFrom?.secretKeyRef)).toBe(false);
  });

  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.runIf(kubectl)('render with kustomize (kubectl kustomize): the example overlay sets namespace, images and generated names', () => {
    const rendered = parseAllDocuments(execFileSync('kubectl', ['kustomize', join(root, 'infra/k8s/overlays/example')], { encoding: 'utf8' })).map(
      (document) => document.toJS() as Manifest,
    );
    const namespaced = rendered.filter((manifest) => manifest.kind !== 'Namespace');
    expect(new Set(namespaced.map((manifest) => (manifest.metadata as { namespace?: string }).namespace))).toEqual(new Set(['ensoras']));
    const secretName = rendered.find((manifest) => manifest.kind === 'Secret')!.metadata.name;
    expect(secretName).toMatch(/^ensoras-secrets-/);
    for (const workload of rendered.filter((manifest) => manifest.kind === 'Deployment' || manifest.kind === 'Job')) {
      for (const container of containersOf(workload)) {
        expect(container.image).toMatch(/^registry\.example\.com\/ensoras\/[\w-]+:1\.0\.0$/);
        for (const variable of container.env ?? []) {
          if (variable.valueFrom?.secretKeyRef) expect(variable.valueFrom.secretKeyRef.name).toBe(secretName);
        }
      }
    }
  });
});

describe('the NATS JetStream cluster (infra/nats)', () => {
  const natsManifests = parseAllDocuments(read('infra/nats/k8s/nats.yaml')).map((document) => document.toJS() as Manifest);
  const statefulSet = natsManifests.find((manifest) => manifest.kind === 'StatefulSet')!;
  const [container] = containersOf(statefulSet);
  const env = new Map((container.env ?? []).map((variable) => [variable.name, variable]));
  const overlay = parse(read('infra/k8s/overlays/example/kustomization.yaml'));
  const overlayConfig = new Map(
    (overlay.configMapGenerator[0].literals as string[]).map((literal) => [literal.slice(0, literal.indexOf('=')), literal.slice(literal.indexOf('=') + 1)]),
  );
  const nodes = Array.from({ length: statefulSet.spec.replicas as number }, (_, index) => `${statefulSet.metadata.name}-${index}.${statefulSet.spec.serviceName}`);

  it('runs three nodes of the cluster configuration, each named after its pod, with routes to every node', () => {
    expect(statefulSet.spec.replicas).toBe(3);
    expect(statefulSet.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['-c', '/etc/nats/cluster/nats-cluster.conf']));
    expect(env.get('NATS_SERVER_NAME')).toMatchObject({ valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    const routes = [...read('infra/nats/cluster/nats-cluster.conf').matchAll(/\$(NATS_ROUTE_\d+)/g)].map(([, variable]) => env.get(variable!)?.value);
    expect(routes).toEqual(nodes.map((node) => `nats://route:$(NATS_CLUSTER_PASSWORD)@${node}:6222`));
  });

  it('gives the servers every variable their configuration reads, secrets from keys the example Secret has', () => {
    const variables = ['infra/nats/nats-server.conf', 'infra/nats/cluster/nats-cluster.conf'].flatMap((file) =>
      [...read(file).matchAll(/\$(NATS_\w+)/g)].map(([, variable]) => variable!),
    );
    for (const variable of new Set(variables)) {
      expect(env.has(variable), `${variable} set on the nats container`).toBe(true);
      const secret = env.get(variable)!.valueFrom?.secretKeyRef;
      if (secret) expect([...exampleSecret.keys()]).toContain(secret.key);
    }
  });

  it('mounts both configuration files where the cluster file includes the other from', () => {
    const items = statefulSet.spec.template.spec.volumes.find((volume: { configMap?: unknown }) => volume.configMap).configMap.items;
    expect(items.map((item: { path: string }) => item.path).sort()).toEqual(['cluster/nats-cluster.conf', 'nats-server.conf']);
    expect(read('infra/nats/cluster/nats-cluster.conf')).toContain('include "../nats-server.conf"');
  });

  it('keeps the quorum through drains and is probed on its monitoring port', () => {
    const budget = natsManifests.find((manifest) => manifest.kind === 'PodDisruptionBudget')!;
    expect(budget.spec.maxUnavailable).toBe(1);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/healthz?js-enabled-only=true', port: 'monitor' });
    expect(container.livenessProbe?.httpGet.port).toBe('monitor');
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it('is what the example overlay points the services at, with every stream on all nodes', () => {
    expect(overlay.resources).toContain('../../../nats');
    expect(overlayConfig.get('NATS_URL')!.split(',')).toEqual(nodes.map((node) => `nats://${node}:4222`));
    expect(Number(overlayConfig.get('NATS_STREAM_REPLICAS'))).toBe(statefulSet.spec.replicas);
  });
});
