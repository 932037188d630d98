import { createHash } from 'node:crypto';
import type { CalendarCreated, OptedIn, OptedOut, ProfileChanged, ProfileCreated, SenderRegistered, TemplateCreated } from '@sms/domain';
import { optOutStream } from '@sms/domain';

/** Builders of the events of the one-stream views, with plausible defaults, for the contract suite. */

export function senderRegistered(id: string, name: string, data: Partial<SenderRegistered['data']> = {}): SenderRegistered {
  return { type: 'SenderRegistered', data: { id, name, senderId: 'ACME', kind: 'ALPHANUMERIC', ...data } };
}

export function templateCreated(id: string, name: string): TemplateCreated {
  return {
    type: 'TemplateCreated',
    data: {
      id,
      name,
      body: 'Bonjour {{firstName}}, votre rendez-vous est confirmé.',
      language: 'fr',
      placeholders: ['firstName'],
      encoding: 'UCS-2',
      characters: 52,
      segments: 1,
    },
  };
}

export function calendarCreated(id: string, name: string): CalendarCreated {
  return {
    type: 'CalendarCreated',
    data: {
      id,
      name,
      timeZone: 'Europe/Paris',
      openingHours: [
        { day: 'MON', from: '09:00', to: '12:00' },
        { day: 'MON', from: '14:00', to: '18:00' },
      ],
      closedDates: ['2026-12-25'],
      publicHolidays: 'FR',
    },
  };
}

export function profileCreated(id: string, name: string, manageCampaign: boolean): ProfileCreated {
  return { type: 'ProfileCreated', data: { id, name, manageCampaign } };
}

export function profileChanged(name: string, manageCampaign: boolean): ProfileChanged {
  return { type: 'ProfileChanged', data: { name, manageCampaign } };
}

export function optedOut(phoneNumber: string, at: string, data: Partial<OptedOut['data']> = {}): OptedOut {
  return { type: 'OptedOut', data: { phoneNumber, source: 'REPLY', keyword: 'STOP', campaignId: null, at, ...data } };
}

export function optedIn(phoneNumber: string, at: string): OptedIn {
  return { type: 'OptedIn', data: { phoneNumber, source: 'REPLY', keyword: 'START', at } };
}

/** Returns the key of a number's opt-out stream in these tests: a plain hash, where the application uses a keyed one. */
export function testNumberKey(e164: string): string {
  return `k${createHash('sha256').update(e164).digest('hex').slice(0, 24)}`;
}

export function optOutStreamOf(e164: string): string {
  return optOutStream(testNumberKey(e164));
}
