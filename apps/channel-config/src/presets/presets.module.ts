import { Module } from '@nestjs/common';
import { PresetsController } from './presets.controller.js';

@Module({ controllers: [PresetsController] })
export class PresetsModule {}
