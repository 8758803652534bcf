import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { OAuthClientDto, OAuthProvider } from '@ensoras/contracts';
import { oauthSecretContext, SecretBox } from '@ensoras/secrets';
import type { Configuration } from 'openid-client';
import { DataSource } from 'typeorm';
import { OAuthClientEntity } from './oauth-client.entity.js';
import { OAuthProviders } from './oauth-providers.js';
import { serverConfiguration } from './oauth-protocol.js';

export interface ResolvedClient {
  clientId: string;
  clientSecret: string;
  source: 'deployment' | 'project';
}

/** The OAuth client a project uses with a provider: its own (PUT …/oauth/clients/{provider}) before the deployment's. */
@Injectable()
export class OAuthClients {
  private readonly configurations = new Map<string, Promise<Configuration>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly providers: OAuthProviders,
  ) {}

  async clientFor(projectId: string, provider: OAuthProvider): Promise<ResolvedClient | null> {
    const own = await this.dataSource.manager.findOneBy(OAuthClientEntity, { projectId, provider });
    if (own) return { clientId: own.clientId, clientSecret: this.openSecret(own), source: 'project' };
    const deployment = this.providers.deploymentClient(provider);
    return deployment ? { ...deployment, source: 'deployment' } : null;
  }

  /** The client a grant was issued to, when it is still configured; null when it was replaced or removed since. */
  async clientOfGrant(projectId: string, provider: OAuthProvider, clientId: string): Promise<ResolvedClient | null> {
    const own = await this.dataSource.manager.findOneBy(OAuthClientEntity, { projectId, provider });
    if (own?.clientId === clientId) return { clientId, clientSecret: this.openSecret(own), source: 'project' };
    const deployment = this.providers.deploymentClient(provider);
    return deployment?.clientId === clientId ? { ...deployment, source: 'deployment' } : null;
  }

  async available(projectId: string): Promise<OAuthProvider[]> {
    const providers: OAuthProvider[] = [];
    for (const provider of ['google', 'microsoft'] as const) {
      if (this.providers.redirectUrl && (await this.clientFor(projectId, provider))) providers.push(provider);
    }
    return providers;
  }

  async list(projectId: string): Promise<Array<{ provider: OAuthProvider; clientId: string; updatedAt: string }>> {
    const rows = await this.dataSource.manager.find(OAuthClientEntity, { where: { projectId }, order: { provider: 'ASC' } });
    return rows.map((row) => ({ provider: row.provider, clientId: row.clientId, updatedAt: row.updatedAt.toISOString() }));
  }

  async put(projectId: string, provider: OAuthProvider, body: OAuthClientDto): Promise<{ provider: OAuthProvider; clientId: string; updatedAt: string }> {
    const row = Object.assign(new OAuthClientEntity(), {
      projectId,
      provider,
      clientId: body.clientId,
      clientSecretSealed: this.box.seal(body.clientSecret, oauthSecretContext(projectId, 'oauth.client_secret', provider, body.clientId)).sealed,
      updatedAt: new Date(),
    });
    await this.dataSource.manager.save(OAuthClientEntity, row);
    return { provider, clientId: row.clientId, updatedAt: row.updatedAt.toISOString() };
  }

  async remove(projectId: string, provider: OAuthProvider): Promise<boolean> {
    const result = await this.dataSource.manager.delete(OAuthClientEntity, { projectId, provider });
    return (result.affected ?? 0) > 0;
  }

  /** openid-client's configuration for a provider and client, built once per client (and secret). */
  configuration(provider: OAuthProvider, client: ResolvedClient): Promise<Configuration> {
    const key = `${provider}\u0000${client.clientId}\u0000${createHash('sha256').update(client.clientSecret).digest('hex')}`;
    let configuration = this.configurations.get(key);
    if (!configuration) {
      configuration = serverConfiguration(this.providers.endpoints(provider), client, this.providers.allowHttp);
      configuration.catch(() => this.configurations.delete(key));
      this.configurations.set(key, configuration);
    }
    return configuration;
  }

  private openSecret(row: OAuthClientEntity): string {
    return this.box.open({ sealed: row.clientSecretSealed }, oauthSecretContext(row.projectId, 'oauth.client_secret', row.provider, row.clientId));
  }
}
