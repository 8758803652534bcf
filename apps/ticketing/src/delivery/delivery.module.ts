import { Module } from '@nestjs/common';
import { DeliveryReportController } from './delivery-report.controller.js';
import { DeliveryReportService } from './delivery-report.service.js';

/** mail-outbound's sent / failed reports → the outgoing message's deliveryStatus. */
@Module({ controllers: [DeliveryReportController], providers: [DeliveryReportService] })
export class DeliveryModule {}
