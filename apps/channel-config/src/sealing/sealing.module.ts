import { Global, Logger, Module } from '@nestjs/common';
import { loadSecretsKey, SecretBox } from '@ensoras/secrets';
import { ChannelConfigEnvironment } from '../config/channel-config.environment.js';

/**
 * The SecretBox that seals channel passwords, keyed by SECRETS_KEY. Without it (development) a key is generated
 * once into DATA_DIR/secrets.key, shared with the other services started from the same folder.
 */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      useFactory: (environment: ChannelConfigEnvironment) =>
        new SecretBox(loadSecretsKey(environment.SECRETS_KEY, environment.DATA_DIR, (message) => new Logger('Secrets').warn(message))),
      inject: [ChannelConfigEnvironment],
    },
  ],
  exports: [SecretBox],
})
export class SealingModule {}
