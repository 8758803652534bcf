import { AddOutboxParking1796000000000, CreateMessagingTables1764000000000 } from '@ensoras/messaging';
import { CreateChannelConfigTables1764100000000 } from './1764100000000-create-channel-config-tables.js';
import { AddChannelSafety1764300000000 } from './1764300000000-add-channel-safety.js';
import { AddProjectReplyCap1796100000000 } from './1796100000000-add-project-reply-cap.js';
import { AddChannelImportSince1796400000000 } from './1796400000000-add-channel-import-since.js';
import { AddChannelAiModeAndHandoff1796600000000 } from './1796600000000-add-channel-ai-mode-and-handoff.js';
import { AddApiTokensAndAuditActor1796900000000 } from './1796900000000-add-api-tokens-and-audit-actor.js';
import { AddChannelPauses1796910000000 } from './1796910000000-add-channel-pauses.js';
import { AddOAuth1796920000000 } from './1796920000000-add-oauth.js';
import { AddChannelSentFolder1796930000000 } from './1796930000000-add-channel-sent-folder.js';

/** In order of their timestamps; each runs once, recorded in "channel_config"."migrations". */
export const MIGRATIONS = [CreateMessagingTables1764000000000, CreateChannelConfigTables1764100000000, AddChannelSafety1764300000000, AddOutboxParking1796000000000, AddProjectReplyCap1796100000000, AddChannelImportSince1796400000000, AddChannelAiModeAndHandoff1796600000000, AddApiTokensAndAuditActor1796900000000, AddChannelPauses1796910000000, AddOAuth1796920000000, AddChannelSentFolder1796930000000];
