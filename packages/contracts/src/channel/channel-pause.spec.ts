import { describe, expect, it } from 'vitest';
import { channelPausedEvent, ChannelPaused, type ChannelPausedPayload } from './channel-pause.js';

const pause = (change: Partial<ChannelPausedPayload> = {}): ChannelPausedPayload => ({
  projectId: 'acme',
  direction: 'smtp',
  revision: 4,
  reason: 'The SMTP server at smtp.acme.test:587 rejected the username or password.',
  failures: 3,
  pausedAt: '2026-12-01T12:00:00.000Z',
  ...change,
});

describe('channelPausedEvent', () => {
  it('is one event per project, direction and revision, whoever records the pause and when', () => {
    const first = channelPausedEvent(pause());
    expect(first).toMatchObject({ type: ChannelPaused.type, projectId: 'acme', payload: pause() });
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.id).toBe('c30f0358-2fed-827c-bc7d-b00fa62d8710'); // the value it has always had
    expect(channelPausedEvent(pause({ failures: 4, pausedAt: '2026-12-01T12:05:00.000Z' })).id).toBe(first.id);
    const others = [pause({ direction: 'imap' }), pause({ revision: 5 }), pause({ projectId: 'acme2' })].map((other) => channelPausedEvent(other).id);
    expect(new Set([first.id, ...others]).size).toBe(4);
  });
});
