import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { SecretBox } from './secret-box.js';
import { secretBoxFromEnvironment, type SecretsEnvironment } from './secrets-key.js';

/**
 * The SecretBox of a service that seals or opens credentials, keyed by SECRETS_KEY (and SECRETS_KEY_PREVIOUS during a
 * rotation). Without it (development only; production refuses to start) a key is generated once into
 * DATA_DIR/secrets.key, shared by the services started from the same folder. Global: the app module imports it once.
 */
@Global()
@Module({})
export class SecretsModule {
  static forRoot(environment: SecretsEnvironment): DynamicModule {
    return {
      module: SecretsModule,
      providers: [
        {
          provide: SecretBox,
          useFactory: () => secretBoxFromEnvironment(environment, (message) => new Logger('Secrets').warn(message)),
        },
      ],
      exports: [SecretBox],
    };
  }
}
