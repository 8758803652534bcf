import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EmailProviderPreset } from '@ensoras/contracts';
import { EMAIL_PROVIDER_PRESETS } from '@ensoras/mail';
import { AnyToken } from '@ensoras/runtime';

@ApiTags('Email channel')
@Controller('v1/presets/email')
@AnyToken()
export class PresetsController {
  /** Hosts, ports, encryption, how to sign in and the provider's help page, for filling in the channel form. */
  @Get()
  @ApiOperation({ summary: 'Known providers: hosts, ports, encryption, how to sign in, help page' })
  @ApiOkResponse({ description: '`{ presets: [...] }`' })
  list(): { presets: readonly EmailProviderPreset[] } {
    return { presets: EMAIL_PROVIDER_PRESETS };
  }
}
