import { describe, expect, it } from 'vitest';
import { channelSafetyOf, DEFAULT_CHANNEL_SAFETY } from '@ensoras/contracts';
import { projectCapReached } from './project-cap.js';

describe('projectCapReached', () => {
  it('lets the AI answer below the cap', () => {
    expect(projectCapReached(0, 300)).toBeNull();
    expect(projectCapReached(299, 300)).toBeNull();
  });

  it('stops at the cap, saying how many and the limit', () => {
    expect(projectCapReached(300, 300)).toBe('AI reply cap of the project reached: 300 replies within the last hour (limit 300 per hour)');
    expect(projectCapReached(1, 1)).not.toBeNull();
  });

  it('is 300 per hour unless the channel says otherwise', () => {
    expect(DEFAULT_CHANNEL_SAFETY.maxAiRepliesPerHour).toBe(300);
    expect(channelSafetyOf({ safety: { maxMessageSizeMb: 25, maxAiRepliesPerTicket: 3, maxAiRepliesPerAddress: 5, loopWindowMinutes: 60 } }).maxAiRepliesPerHour).toBe(300);
    expect(channelSafetyOf(null).maxAiRepliesPerHour).toBe(300);
    expect(channelSafetyOf({ safety: { ...DEFAULT_CHANNEL_SAFETY, maxAiRepliesPerHour: 2 } }).maxAiRepliesPerHour).toBe(2);
  });
});
