// The DTO decorators read design-time types; load the metadata polyfill before any of them runs.
import 'reflect-metadata';
export * from './events/envelope.js';
export * from './events/event-ids.js';
export * from './events/streams.js';
export * from './events/schemas/event-catalog.js';
export * from './channel/channel-settings.js';
export * from './channel/mail-auth.js';
export * from './channel/oauth-dto.js';
export * from './channel/channel-events.js';
export * from './channel/channel-pause.js';
export * from './channel/channel-dto.js';
export * from './channel/channel-views.js';
export * from './channel/email-presets.js';
export * from './mail/mail-events.js';
export * from './ticketing/ticket-events.js';
export * from './replies/reply-events.js';
export * from './admin/admin-views.js';
export * from './access/api-scopes.js';
