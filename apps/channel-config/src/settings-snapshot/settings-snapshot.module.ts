import { Module } from '@nestjs/common';
import { ChannelSettingsSync } from './channel-settings.sync.js';

@Module({ providers: [ChannelSettingsSync], exports: [ChannelSettingsSync] })
export class SettingsSnapshotModule {}
