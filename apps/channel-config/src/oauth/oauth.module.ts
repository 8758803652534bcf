import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module.js';
import { AccessTokenPublisher } from './access-token-publisher.js';
import { OAuthCallbackController, OAuthController } from './oauth.controller.js';
import { OAuthClients } from './oauth-clients.service.js';
import { OAuthConnect } from './oauth-connect.service.js';
import { OAuthGrants } from './oauth-grants.service.js';
import { OAuthProviders } from './oauth-providers.js';
import { OAuthRefresher } from './oauth-refresher.service.js';
import { OAuthResealing } from './oauth-resealing.service.js';

/** OAuth2 for mailboxes: consent, grants, refreshing, and the access tokens shared through the oauth-access-tokens bucket. */
@Module({
  imports: [ProjectsModule],
  controllers: [OAuthController, OAuthCallbackController],
  providers: [OAuthProviders, OAuthClients, AccessTokenPublisher, OAuthGrants, OAuthConnect, OAuthRefresher, OAuthResealing],
  exports: [OAuthGrants, OAuthProviders],
})
export class OAuthModule {}
