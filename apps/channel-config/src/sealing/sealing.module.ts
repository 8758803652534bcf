import { Global, Logger, Module } from '@nestjs/common';
import { SecretBox, secretBoxFromEnvironment } from '@ensoras/secrets';
import { ChannelConfigEnvironment } from '../config/channel-config.environment.js';

/**
 * The SecretBox that seals channel passwords, keyed by SECRETS_KEY (and SECRETS_KEY_PREVIOUS during a rotation).
 * Without it (development only; production refuses to start) a key is generated once into DATA_DIR/secrets.key,
 * shared with the other services started from the same folder.
 */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      useFactory: (environment: ChannelConfigEnvironment) =>
        secretBoxFromEnvironment(environment, (message) => new Logger('Secrets').warn(message)),
      inject: [ChannelConfigEnvironment],
    },
  ],
  exports: [SecretBox],
})
export class SealingModule {}
