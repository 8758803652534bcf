import { PatchEmailChannelDto, ProjectConfigurationDto, PutEmailChannelDto } from '@ensoras/contracts';
import { jsonBodyLimitOf } from '@ensoras/runtime';

/**
 * The largest body channel-config's routes accept (a channel PUT with signature, guidelines and both passwords at
 * their limits, every character written in its costliest JSON form): about 200 KB.
 */
export const CHANNEL_CONFIG_JSON_BODY_LIMIT_BYTES = jsonBodyLimitOf(PutEmailChannelDto, PatchEmailChannelDto, ProjectConfigurationDto);
