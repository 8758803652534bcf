import { Module } from '@nestjs/common';
import { ApiTokensController } from './api-tokens.controller.js';
import { ApiTokens } from './api-tokens.service.js';
import { ApiTokensSync } from './api-tokens.sync.js';

@Module({ controllers: [ApiTokensController], providers: [ApiTokens, ApiTokensSync] })
export class ApiTokensModule {}
